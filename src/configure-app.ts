import type { NestExpressApplication } from '@nestjs/platform-express';

/** HTTP settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Stripe events stay well under this; a larger body is refused with 413 before it is parsed.
  app.useBodyParser('json', { limit: '512kb' });
}
