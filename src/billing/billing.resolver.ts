import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator.js';
import { BillingAccountModel, BillingSubscriptionModel } from './billing-account.model.js';
import { ChangePlanInput, CreateCheckoutSessionInput, PreviewPlanChangeInput } from './billing-checkout.input.js';
import { BillingPortalSessionModel, CheckoutSessionModel, PlanChangePreviewModel } from './billing-checkout.model.js';
import { BillingService } from './billing.service.js';
import { OwnerBillingService } from './owner-billing.service.js';

/** `billing` for owners and members; every mutation is the owner's (the business comes from the token). */
@Resolver(() => BillingAccountModel)
export class BillingResolver {
  constructor(
    private readonly billingService: BillingService,
    private readonly owner: OwnerBillingService,
  ) {}

  @Roles('owner', 'member')
  @Query(() => BillingAccountModel, { description: "The caller's billing account: plan, subscription, usage, warnings." })
  billing(@CurrentAccount() caller: AuthAccount): Promise<BillingAccountModel> {
    return this.billingService.getOverview(caller);
  }

  @Roles('owner')
  @Mutation(() => CheckoutSessionModel, {
    description: 'Stripe Checkout for a paid plan (ALREADY_SUBSCRIBED while a subscription is live). Honours Idempotency-Key.',
  })
  createCheckoutSession(
    @CurrentAccount() caller: AuthAccount,
    @Args('input') input: CreateCheckoutSessionInput,
    @IdempotencyKey() key: string | undefined,
  ): Promise<CheckoutSessionModel> {
    return this.owner.createCheckoutSession(caller, input, key);
  }

  @Roles('owner')
  @Mutation(() => BillingPortalSessionModel, { description: "Stripe's billing portal (payment methods, invoices)." })
  createBillingPortalSession(
    @CurrentAccount() caller: AuthAccount,
    @IdempotencyKey() key: string | undefined,
  ): Promise<BillingPortalSessionModel> {
    return this.owner.createBillingPortalSession(caller, key);
  }

  @Roles('owner')
  @Mutation(() => PlanChangePreviewModel, {
    description: 'What changePlan would charge (from Stripe, with proration) and what would be over the new limits. Changes nothing.',
  })
  previewPlanChange(
    @CurrentAccount() caller: AuthAccount,
    @Args('input') input: PreviewPlanChangeInput,
  ): Promise<PlanChangePreviewModel> {
    return this.owner.previewPlanChange(caller, input);
  }

  @Roles('owner')
  @Mutation(() => BillingAccountModel, {
    description: 'Upgrade now with proration, or downgrade at the period end (subscription.scheduledChange). To free = cancelSubscription.',
  })
  changePlan(
    @CurrentAccount() caller: AuthAccount,
    @Args('input') input: ChangePlanInput,
    @IdempotencyKey() key: string | undefined,
  ): Promise<BillingAccountModel> {
    return this.owner.changePlan(caller, input, key);
  }

  @Roles('owner')
  @Mutation(() => BillingAccountModel, { description: 'Drops a scheduled plan change; the current plan carries on.' })
  cancelScheduledPlanChange(
    @CurrentAccount() caller: AuthAccount,
    @IdempotencyKey() key: string | undefined,
  ): Promise<BillingAccountModel> {
    return this.owner.cancelScheduledPlanChange(caller, key);
  }

  @Roles('owner')
  @Mutation(() => BillingSubscriptionModel, { description: 'Cancels at the period end (default) or now.' })
  cancelSubscription(
    @CurrentAccount() caller: AuthAccount,
    @Args('atPeriodEnd', { type: () => Boolean, defaultValue: true }) atPeriodEnd: boolean,
    @IdempotencyKey() key: string | undefined,
  ): Promise<BillingSubscriptionModel> {
    return this.owner.cancelSubscription(caller, atPeriodEnd, key);
  }

  @Roles('owner')
  @Mutation(() => BillingSubscriptionModel, { description: 'Undoes a cancellation at the period end.' })
  resumeSubscription(
    @CurrentAccount() caller: AuthAccount,
    @IdempotencyKey() key: string | undefined,
  ): Promise<BillingSubscriptionModel> {
    return this.owner.resumeSubscription(caller, key);
  }
}
