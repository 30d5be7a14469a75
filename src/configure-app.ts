import type { NestExpressApplication } from '@nestjs/platform-express';

/** HTTP settings shared by main.ts and the e2e tests, so tests run the app as production does. */
export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.useBodyParser('json', { limit: '256kb' });
}
