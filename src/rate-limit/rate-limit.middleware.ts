import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimitTracker, resolveRateLimitTracker } from './rate-limit-tracker.util.js';
import type { RequestRateLimiter } from './request-rate-limiter.service.js';
import { tooManyRequests } from './rate-limit.guard.js';

/**
 * What the middlewares leave on a request for RateLimitGuard: whom it counts against, and
 * whether it was counted already (GraphQL, once per HTTP request).
 */
export type RateLimitedRequest = Request & { rateLimitTracker?: string; rateLimitCounted?: boolean };

/**
 * Runs on every request Express sees (the Stripe webhook never reaches Express), before the body
 * parser: resolves whom the request counts against (the verified token's user, else the IP) and
 * leaves it on the request. `verify` is AuthService.verifyForRequest, whose answer the auth guard
 * reuses.
 */
export function rateLimitTrackerMiddleware(verify: (request: Request, token: string) => Promise<{ userId: string }>): RequestHandler {
  return (req: RateLimitedRequest, _res: Response, next: NextFunction) => {
    resolveRateLimitTracker(req.headers.authorization, req.ip, (token) => verify(req, token)).then((tracker) => {
      req.rateLimitTracker = tracker;
      next();
    }, next);
  };
}

/**
 * Counts each request once, here, before the body parser: mounted on the GraphQL path with
 * `app.use(path, ...)`, so Express matches it exactly as it matches Apollo's mount (case and
 * trailing slash alike). Requests that fail parsing, validation or graphql-armor, introspection
 * and `__typename`-only queries (none of which reach a resolver, and so no guard) are counted
 * too, and an operation with many root fields counts once.
 */
export function countRequestsMiddleware(limiter: RequestRateLimiter): RequestHandler {
  return (req: RateLimitedRequest, res: Response, next: NextFunction) => {
    const hit = limiter.hit(req.rateLimitTracker ?? rateLimitTracker(undefined, req.ip));
    req.rateLimitCounted = true;
    if (hit.allowed) return next();
    const error = tooManyRequests(hit.retryAfterSeconds);
    res
      .status(error.httpStatus)
      .setHeader('retry-after', String(hit.retryAfterSeconds))
      // The shape of every other GraphQL error (AppExceptionFilter): code and details in extensions.
      .json({ errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] });
  };
}
