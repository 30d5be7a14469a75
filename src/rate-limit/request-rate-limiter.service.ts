import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import type { RateLimitHit } from './rate-limit-window.util.js';
import { RateLimitStore } from './rate-limit.store.js';

/** The request budget (RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW_SECONDS) of one tracker. */
@Injectable()
export class RequestRateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly config: AppConfigService,
  ) {}

  hit(tracker: string): RateLimitHit {
    const { windowSeconds, maxRequests } = this.config.values.rateLimit;
    return this.store.hit(`requests:${tracker}`, windowSeconds, maxRequests);
  }
}
