import { type CanActivate, type ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthException } from '../auth/auth.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { bearerMatches } from './bearer-matches.util.js';

/**
 * GET /metrics on the main port: as if the route did not exist (404) unless METRICS_TOKEN is
 * set, then only to `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.values.metrics.token;
    if (!token) throw new NotFoundException('Cannot GET /metrics');
    const request = context.switchToHttp().getRequest<Request>();
    if (!bearerMatches(request.headers.authorization, token)) {
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    return true;
  }
}
