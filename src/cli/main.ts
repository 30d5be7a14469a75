import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { CommandFactory } from 'nest-commander';
import { AppException } from '../common/exceptions/app.exception.js';
import { loadConfig } from '../config/load-config.js';
import { formatConfigErrors } from '../config/print-config-errors.util.js';
import { CliModule } from './cli.module.js';

async function main(): Promise<void> {
  if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigErrors(result.errors)}\n`);
    process.exit(1);
  }
  await CommandFactory.run(CliModule.forRoot(result.config), {
    logger: ['error', 'warn'],
    errorHandler: (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(error instanceof AppException ? error.httpStatus : 1);
    },
  });
}

void main();
