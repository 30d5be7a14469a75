import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { TrialEventsService } from './trial-events.service.js';
import { TrialExpiryService } from './trial-expiry.service.js';
import { TrialsResolver } from './trials.resolver.js';
import { TrialsService } from './trials.service.js';

/**
 * The trial state machine (transitionTrial, which billing sync also calls), card-less trials,
 * the scheduled expiry and the trial domain events. Needs ScheduleModule.forRoot() in the app.
 */
@Module({
  imports: [PlansModule, BillingModule, EntitlementsModule],
  providers: [TrialsService, TrialExpiryService, TrialEventsService, TrialsResolver],
  exports: [TrialsService, TrialExpiryService, TrialEventsService],
})
export class TrialsModule {}
