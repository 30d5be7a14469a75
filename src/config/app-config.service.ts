import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from './app-config.types.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The one way services read configuration (never `process.env`), so tests pass their own. */
@Injectable()
export class AppConfigService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get values(): AppConfig {
    return this.config;
  }

  get isProduction(): boolean {
    return this.config.isProduction;
  }
}
