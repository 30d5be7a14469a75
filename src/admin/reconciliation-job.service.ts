import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service.js';
import { ADVISORY_LOCK } from '../database/advisory-locks.constant.js';
import { RELEASE_ADVISORY_LOCK, TRY_ADVISORY_LOCK } from '../database/database.sql.js';
import { formatDrift } from './billing-drift.util.js';
import { ReconciliationService, type ReconcileSummary } from './reconciliation.service.js';

export const RECONCILIATION_OPERATOR = { sub: 'system:reconciliation' } as const;

/**
 * verify-entitlements --fix on RECONCILE_CRON. Every instance schedules it; a session advisory
 * lock lets exactly one run it at a time, the others skip that round.
 */
@Injectable()
export class ReconciliationJobService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconciliationJobService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reconciliation: ReconciliationService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.values.reconcile.cron;
    if (!cron) return;
    const job = CronJob.from({ cronTime: cron, onTick: () => void this.run().catch(() => undefined), start: true });
    this.scheduler.addCronJob('billing-reconciliation', job);
  }

  /** One run; null when another instance holds the lock. */
  async run(): Promise<ReconcileSummary | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(TRY_ADVISORY_LOCK, [ADVISORY_LOCK.RECONCILIATION]);
      if (!locked) {
        this.logger.log('reconciliation skipped: another instance is running it');
        return null;
      }
      try {
        const summary = await this.reconciliation.run({ fix: true, operator: RECONCILIATION_OPERATOR, source: 'scheduler' });
        const { accounts, ...counts } = summary;
        this.logger.log(
          {
            ...counts,
            drifted: accounts.map((account) => ({
              businessId: account.businessId,
              drifts: account.drifts.map(formatDrift),
              error: account.error,
              usageDrifts: account.usageDrifts,
              usageError: account.usageError,
            })),
          },
          `reconciliation: ${counts.checked} checked, ${counts.inSync} in sync, ${counts.drifted} drifted (${counts.fixed} fixed), ` +
            `${counts.errors} errors; usage of ${counts.usageChecked} accounts: ${counts.usageRecounted} recounted, ${counts.usageErrors} errors`,
        );
        return summary;
      } finally {
        await runner.query(RELEASE_ADVISORY_LOCK, [ADVISORY_LOCK.RECONCILIATION]);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'reconciliation failed');
      throw error;
    } finally {
      await runner.release();
    }
  }
}
