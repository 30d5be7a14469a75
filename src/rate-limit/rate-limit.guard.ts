import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GqlContextType } from '@nestjs/graphql';
import { getRequest } from '../auth/request-context.util.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import type { RateLimitedRequest } from './rate-limit.middleware.js';
import { rateLimitTracker } from './rate-limit-tracker.util.js';
import { RequestRateLimiter } from './request-rate-limiter.service.js';
import { SKIP_RATE_LIMIT_KEY } from './skip-rate-limit.decorator.js';

/**
 * Global guard counting REST requests, against the tracker rateLimitTrackerMiddleware resolved
 * (the verified token's user, else the IP). GraphQL is counted by countRequestsMiddleware, once
 * per HTTP request; a GraphQL request it did not count (a path it was not mounted on) is counted
 * here, once. A refusal is 429 TOO_MANY_REQUESTS with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RequestRateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = getRequest(context) as RateLimitedRequest;
    if (context.getType<GqlContextType>() === 'graphql') {
      if (request.rateLimitCounted) return true;
      request.rateLimitCounted = true;
    } else if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_KEY, [context.getHandler(), context.getClass()])) {
      return true;
    }
    // Without the middleware (an app not set up by configureApp) nothing was verified: count the IP.
    const hit = this.limiter.hit(request.rateLimitTracker ?? rateLimitTracker(undefined, request.ip));
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
