import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthService } from './auth/auth.service.js';
import { countRequestsMiddleware, rateLimitTrackerMiddleware } from './rate-limit/rate-limit.middleware.js';
import { RequestRateLimiter } from './rate-limit/request-rate-limiter.service.js';
import { mountStripeWebhooks } from './webhooks/stripe-webhook.controller.js';

/** Apollo's path (src/graphql/graphql-options.factory.ts); secure-defaults.e2e-spec.ts fails if they differ. */
const GRAPHQL_PATH = '/graphql';

/** HTTP settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Before the JSON parser and Nest's router: webhooks need their exact bytes (see there). They
  // are answered on the HTTP server itself, so nothing below (rate limits included) sees them.
  mountStripeWebhooks(app);
  // Before the body parser, so oversized or malformed GraphQL bodies are counted too.
  const auth = app.get(AuthService);
  app.use(rateLimitTrackerMiddleware((request, token) => auth.verifyForRequest(request, token)));
  app.use(GRAPHQL_PATH, countRequestsMiddleware(app.get(RequestRateLimiter)));
  // A larger body is refused with 413 before it is parsed (the webhook has its own limit).
  app.useBodyParser('json', { limit: '512kb' });
}
