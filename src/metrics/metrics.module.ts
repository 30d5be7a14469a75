import { type DynamicModule, Global, Module } from '@nestjs/common';
import { InboxHealthService } from './inbox-health.service.js';
import { MetricsServerService } from './metrics-server.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/**
 * Global, so that any service can record through MetricsService without module wiring.
 * `serve: false` (the CLI) records but exposes nothing.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: { serve: boolean }): DynamicModule {
    return {
      module: MetricsModule,
      controllers: options.serve ? [MetricsController] : [],
      providers: [MetricsService, InboxHealthService, ...(options.serve ? [MetricsServerService] : [])],
      exports: [MetricsService, InboxHealthService],
    };
  }
}
