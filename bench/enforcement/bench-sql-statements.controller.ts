import { Controller, HttpCode, Post } from '@nestjs/common';
import { Public } from '../../src/auth/auth.decorator.js';
import { SkipRateLimit } from '../../src/rate-limit/skip-rate-limit.decorator.js';
import { type SqlStatementCounts, startCounting, stopCounting } from './sql-statement-counter.js';

/** Starts and stops the query logger of the benchmark's server (sql-statement-counter.ts). */
@Public()
@SkipRateLimit()
@Controller('bench/sql-statements')
export class BenchSqlStatementsController {
  @Post('start')
  @HttpCode(204)
  start(): void {
    startCounting();
  }

  @Post('stop')
  @HttpCode(200)
  stop(): SqlStatementCounts {
    return stopCounting();
  }
}
