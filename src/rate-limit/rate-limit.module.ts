import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthFailureLimiter } from './auth-failure-limiter.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RequestRateLimiter } from './request-rate-limiter.service.js';

/**
 * Rate limits, in memory per instance: every GraphQL HTTP request (rateLimitMiddleware, mounted by
 * configureApp), every REST request (RateLimitGuard), and failed authentications. Routes marked
 * @SkipRateLimit() (/health) are exempt; the Stripe webhook is answered before Express.
 * Hand-written rather than @nestjs/throttler: its releases (6.7.1 and before) are CommonJS and
 * `require` @nestjs/common, which is ESM-only in Nest 12. Node 20.19+ loads that, but Jest on
 * Node 20 cannot (its require of ESM needs Node 24.9+), so the app could not be tested with it.
 */
@Global()
@Module({
  providers: [RateLimitStore, RequestRateLimiter, AuthFailureLimiter, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [AuthFailureLimiter, RequestRateLimiter],
})
export class RateLimitModule {}
