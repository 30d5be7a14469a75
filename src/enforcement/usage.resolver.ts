import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { PlanBypassHeader } from './plan-bypass-header.decorator.js';
import { EnforcementService } from './enforcement.service.js';
import { UsageDecisionModel } from './usage-decision.model.js';

@Resolver(() => UsageDecisionModel)
export class UsageResolver {
  constructor(private readonly enforcement: EnforcementService) {}

  @Roles('owner', 'member')
  @Query(() => UsageDecisionModel, {
    description: 'Would `amount` more of `metric` be allowed now? For UIs that grey out a button; reserves nothing.',
  })
  canUse(
    @CurrentAccount() caller: AuthAccount,
    @Args('metric') metric: string,
    @Args('amount', { type: () => Int, defaultValue: 1 }) amount: number,
    @PlanBypassHeader() bypassHeader: string | undefined,
  ): Promise<UsageDecisionModel> {
    return this.enforcement.canUse(caller, metric, amount, bypassHeader);
  }
}
