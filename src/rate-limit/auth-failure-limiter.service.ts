import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import { tooManyRequests } from './rate-limit.guard.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Counts failed authentications per IP. Past RATE_LIMIT_MAX_AUTH_FAILURES in a window, further
 * failures from that IP are answered 429 instead of 401 until the window ends, so guessing
 * tokens (or sending a fresh forged token per request to dodge the per-token limit) is slowed
 * down. Valid tokens are not affected.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly config: AppConfigService,
  ) {}

  /** Records one failure; returns the 429 to throw instead when the IP is over its budget. */
  recordFailure(ip: string | undefined): Error | undefined {
    const { windowSeconds, maxAuthFailures } = this.config.values.rateLimit;
    const hit = this.store.hit(`auth-failures:ip:${ip ?? 'unknown'}`, windowSeconds, maxAuthFailures);
    return hit.allowed ? undefined : tooManyRequests(hit.retryAfterSeconds);
  }
}
