import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getRequest } from '../auth/request-context.util.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { rateLimitTracker } from './rate-limit-tracker.util.js';
import { RateLimitStore } from './rate-limit.store.js';
import { SKIP_RATE_LIMIT_KEY } from './skip-rate-limit.decorator.js';

/**
 * Global guard for REST and GraphQL (each root field of an operation counts once), per token
 * else per IP. A refusal is 429 TOO_MANY_REQUESTS with Retry-After in both transports.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: RateLimitStore,
    private readonly config: AppConfigService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_KEY, [context.getHandler(), context.getClass()])) return true;
    const request = getRequest(context);
    const { windowSeconds, maxRequests } = this.config.values.rateLimit;
    const hit = this.store.hit(`requests:${rateLimitTracker(request.headers.authorization, request.ip)}`, windowSeconds, maxRequests);
    if (!hit.allowed) throw tooManyRequests(hit.retryAfterSeconds);
    return true;
  }
}

export function tooManyRequests(retryAfterSeconds: number): RequestException {
  return new RequestException(RequestErrorCode.TOO_MANY_REQUESTS, `Too many requests; retry in ${retryAfterSeconds} s`, {
    retryable: true,
    retryAfterSeconds,
  });
}
