import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipRateLimit } from '../rate-limit/skip-rate-limit.decorator.js';
import { Public } from '../auth/auth.decorator.js';
import { AppConfigService } from '../config/app-config.service.js';
import { InboxHealthService } from '../metrics/inbox-health.service.js';
import { assessBillingHealth, type BillingHealth } from './billing-health.util.js';

@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly inbox: InboxHealthService,
    private readonly config: AppConfigService,
  ) {}

  /** 200 when the database answers, 503 otherwise (so a load balancer takes the instance out). */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 2000 })]);
  }

  /**
   * Billing pipeline health: 200 with status ok or degraded (and why). Not a readiness check, so a
   * dead letter never takes an instance out of the load balancer; alert on `status`.
   */
  @Public()
  @Get('billing')
  async billing(): Promise<BillingHealth> {
    return assessBillingHealth(await this.inbox.read(), this.config.values.webhookBacklogAlertSeconds);
  }
}
