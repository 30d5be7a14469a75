import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { BillingAccountModel } from '../billing/billing-account.model.js';
import { TrialsService } from './trials.service.js';

/** The card-less `startTrial` mutation (billing.trial itself comes with the billing object). */
@Resolver(() => BillingAccountModel)
export class TrialsResolver {
  constructor(private readonly trials: TrialsService) {}

  @Roles('owner')
  @Mutation(() => BillingAccountModel, {
    description:
      'Starts the business\'s one card-less trial of a plan with trial days: its limits apply at once. ' +
      'TRIAL_ALREADY_USED, TRIAL_NOT_OFFERED or ALREADY_SUBSCRIBED otherwise.',
  })
  startTrial(@CurrentAccount() caller: AuthAccount, @Args('planKey') planKey: string): Promise<BillingAccountModel> {
    return this.trials.startTrial(caller, planKey);
  }
}
