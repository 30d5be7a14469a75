import { Module } from '@nestjs/common';
import { EnforcementModule } from '../../src/enforcement/enforcement.module.js';
import { BenchSqlStatementsController } from './bench-sql-statements.controller.js';
import { BenchTwinController } from './bench-twin.controller.js';
import { BenchTwinResolver } from './bench-twin.resolver.js';

/**
 * What the `enforcement` benchmark adds to the service in its own server (bench-server.ts): the
 * undecorated twins and the query logger's switch. EnforcementModule is imported, as a product
 * module does, so @RequiresFeature's guard can be built here.
 */
@Module({
  imports: [EnforcementModule],
  controllers: [BenchTwinController, BenchSqlStatementsController],
  providers: [BenchTwinResolver],
})
export class BenchTwinModule {}
