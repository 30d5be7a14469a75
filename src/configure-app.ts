import type { NestExpressApplication } from '@nestjs/platform-express';
import { mountStripeWebhooks } from './webhooks/stripe-webhook.controller.js';

/** HTTP settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Before the JSON parser and Nest's router: webhooks need their exact bytes (see there).
  mountStripeWebhooks(app);
  // Stripe events stay well under this; a larger body is refused with 413 before it is parsed.
  app.useBodyParser('json', { limit: '512kb' });
}
