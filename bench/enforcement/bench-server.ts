import 'reflect-metadata';
import { installSqlStatementCounter, sqlStatementCounting } from './sql-statement-counter.js';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { pino } from 'pino';
import { loadAppConfig } from '../../src/app-config.sections.js';
import { loadDotenvFiles } from '../../src/config/load-dotenv-files.util.js';
import { formatConfigErrors } from '../../src/config/print-config-errors.util.js';
import { prettyLogTransport } from '../../src/common/logging/logger-options.factory.js';
import { configureApp } from '../../src/configure-app.js';
import { BenchAppModule } from './bench-app.module.js';

/**
 * The service as src/main.ts starts it with DATABASE_URL and STRIPE_SECRET_KEY set (same config
 * loading, AppModule.forRoot, configureApp), plus BenchTwinModule and the query logger. The
 * `enforcement` benchmark runs it as "ours" and as the twin, one process, loaded in turn. The
 * development path of main.ts (embedded PostgreSQL, simulator) is not reproduced: the benchmark
 * brings its own database and makes no Stripe call.
 */
installSqlStatementCounter();

async function bootstrap(): Promise<void> {
  loadDotenvFiles();
  const result = loadAppConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n`);
    process.exit(1);
  }
  const config = result.config;
  if (!config.databaseUrl || config.developmentInfrastructure) {
    process.stderr.write('bench-server needs DATABASE_URL and STRIPE_SECRET_KEY (it starts no embedded PostgreSQL or simulator)\n');
    process.exit(1);
  }
  const transport = prettyLogTransport(config.isProduction, process.stdout.isTTY === true);
  const log = pino({ level: config.logLevel, base: { service: 'billing-service' }, ...(transport ? { transport } : {}) });
  for (const warning of result.warnings) log.warn(warning);

  const app = await NestFactory.create<NestExpressApplication>(BenchAppModule.forRoot(config), { bufferLogs: true, rawBody: true });
  app.useLogger(app.get(Logger));
  configureApp(app);
  // After configureApp's JSON parser (see sqlStatementCounting), before Nest's router.
  app.use(sqlStatementCounting);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const force = setTimeout(() => process.exit(1), 10_000);
      void app.close().finally(() => {
        clearTimeout(force);
        process.exit(0);
      });
    });
  }
  await app.listen(config.port, '127.0.0.1');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`bench-server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
