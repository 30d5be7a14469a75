import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthFailureLimiter } from './auth-failure-limiter.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Rate limits, in memory per instance: every REST and GraphQL request, and failed
 * authentications. Routes marked @SkipRateLimit() (the Stripe webhook, /health) are exempt.
 * Hand-written rather than @nestjs/throttler: its 6.x release is CommonJS and cannot load
 * @nestjs/common 12 (ESM only) under Jest, so the app could not be tested with it.
 */
@Global()
@Module({
  providers: [RateLimitStore, AuthFailureLimiter, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [AuthFailureLimiter],
})
export class RateLimitModule {}
