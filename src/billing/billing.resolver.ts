import { Query, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { BillingAccountModel } from './billing-account.model.js';
import { BillingService } from './billing.service.js';

@Resolver(() => BillingAccountModel)
export class BillingResolver {
  constructor(private readonly billingService: BillingService) {}

  @Roles('owner', 'member')
  @Query(() => BillingAccountModel, { description: "The caller's billing account and the plan that applies now." })
  billing(@CurrentAccount() caller: AuthAccount): Promise<BillingAccountModel> {
    return this.billingService.getOverview(caller);
  }
}
