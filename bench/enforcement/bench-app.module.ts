import { type DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../../src/app.module.js';
import type { AppConfig } from '../../src/config/app-config.types.js';
import { BenchTwinModule } from './bench-twin.module.js';

/** The whole service, as main.ts builds it, plus the benchmark's twins. */
@Module({})
export class BenchAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: BenchAppModule, imports: [AppModule.forRoot(config), BenchTwinModule] };
  }
}
