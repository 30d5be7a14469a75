import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { AppException } from '../common/exceptions/app.exception.js';
import { loadAppConfig } from '../app-config.sections.js';
import { loadDotenvFiles } from '../config/load-dotenv-files.util.js';
import { formatConfigErrors } from '../config/print-config-errors.util.js';
import { CliModule } from './cli.module.js';

async function main(): Promise<void> {
  loadDotenvFiles();
  const result = loadAppConfig(process.env);
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
