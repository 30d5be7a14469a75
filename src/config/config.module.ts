import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfigService } from './app-config.service.js';
import type { AppConfig } from './app-config.types.js';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, AppConfigService],
      exports: [AppConfigService],
    };
  }
}
