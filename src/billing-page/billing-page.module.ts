import { type DynamicModule, Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module.js';
import { BillingPageController } from './billing-page.controller.js';
import { BillingPageService } from './billing-page.service.js';

@Module({})
export class BillingPageModule {
  /** Disabled (production by default) means no route at all: GET /billing is a plain 404. */
  static register(options: { enabled: boolean }): DynamicModule {
    return {
      module: BillingPageModule,
      imports: [PlansModule],
      controllers: options.enabled ? [BillingPageController] : [],
      providers: [BillingPageService],
    };
  }
}
