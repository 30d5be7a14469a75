import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { resolveRateLimitTracker } from './rate-limit-tracker.util.js';
import type { RequestRateLimiter } from './request-rate-limiter.service.js';
import { tooManyRequests } from './rate-limit.guard.js';

/** Where the middleware leaves a request's tracker for RateLimitGuard (REST). */
export type RateLimitedRequest = Request & { rateLimitTracker?: string };

export interface RateLimitMiddlewareOptions {
  limiter: RequestRateLimiter;
  /** Resolves when the token is valid (AuthService.verifyForRequest); only then does it get its own budget. */
  verify: (request: Request, token: string) => Promise<unknown>;
  /** Requests under this path are counted here, once per HTTP request (GraphQL). */
  countedPath: string;
}

/**
 * Runs on every request Express sees (the Stripe webhook never reaches Express), before the body
 * parser. It resolves whom the request counts against (verified token, else IP) and leaves it on
 * the request. GraphQL requests are counted here, once per HTTP request, so requests that fail
 * parsing, validation or graphql-armor, introspection and `__typename`-only queries (none of which
 * reach a resolver, and so no guard) are counted too, and an operation with many root fields counts
 * once. REST requests are counted by RateLimitGuard, which honours @SkipRateLimit().
 */
export function rateLimitMiddleware(options: RateLimitMiddlewareOptions): RequestHandler {
  return (req: RateLimitedRequest, res: Response, next: NextFunction) => {
    resolveRateLimitTracker(req.headers.authorization, req.ip, (token) => options.verify(req, token)).then((tracker) => {
      req.rateLimitTracker = tracker;
      if (req.path !== options.countedPath && !req.path.startsWith(`${options.countedPath}/`)) return next();
      const hit = options.limiter.hit(tracker);
      if (hit.allowed) return next();
      const error = tooManyRequests(hit.retryAfterSeconds);
      res
        .status(error.httpStatus)
        .setHeader('retry-after', String(hit.retryAfterSeconds))
        // The shape of every other GraphQL error (AppExceptionFilter): code and details in extensions.
        .json({ errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] });
    }, next);
  };
}
