import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorator.js';
import { AuthErrorCode, AuthException } from '../auth/auth.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { MetricsService } from './metrics.service.js';

/**
 * GET /metrics on the main port: closed (404) unless METRICS_TOKEN is set, then only to that
 * bearer token. The unauthenticated way is METRICS_PORT, a separate port (MetricsServerService).
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
  ) {}

  @Public()
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    const token = this.config.values.metrics.token;
    if (!token) throw new NotFoundException('Cannot GET /metrics');
    if (!bearerMatches(authorization, token)) {
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    const { contentType, body } = await this.metrics.render();
    response.type(contentType).send(body);
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
