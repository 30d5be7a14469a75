import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EntitlementSource } from '../entitlements/effective-plan.util.js';
import { BillingIntervalModel, MetricKindModel, PlanModel } from '../plans/plan.model.js';
import { TrialModel } from '../trials/trial.model.js';

registerEnumType(EntitlementSource, {
  name: 'EntitlementSource',
  description: 'Why the effective plan applies.',
});

export enum BillingWarningCode {
  PAYMENT_PAST_DUE = 'PAYMENT_PAST_DUE',
  OVER_LIMIT = 'OVER_LIMIT',
  CANCELS_AT_PERIOD_END = 'CANCELS_AT_PERIOD_END',
}
registerEnumType(BillingWarningCode, {
  name: 'BillingWarningCode',
  description:
    'PAYMENT_PAST_DUE: a renewal failed; `until` is the end of the grace period. OVER_LIMIT: more is in use than the plan allows (nothing is deleted; new uses are refused). CANCELS_AT_PERIOD_END: the subscription ends at `until`.',
});

@ObjectType('ScheduledPlanChange', { description: 'A plan change that applies at a later date (a downgrade at period end).' })
export class ScheduledPlanChangeModel {
  @Field()
  planKey: string;

  @Field(() => BillingIntervalModel)
  interval: BillingIntervalModel;

  @Field()
  effectiveAt: Date;
}

@ObjectType('BillingSubscription')
export class BillingSubscriptionModel {
  @Field()
  id: string;

  @Field({ description: "Stripe's status: active, trialing, past_due, unpaid, paused, incomplete, canceled, ..." })
  status: string;

  @Field(() => String, { nullable: true, description: 'The plan its price belongs to; null for a price no plan sells.' })
  planKey: string | null;

  @Field(() => BillingIntervalModel, { nullable: true })
  interval: BillingIntervalModel | null;

  @Field(() => Date, { nullable: true })
  currentPeriodStart: Date | null;

  @Field(() => Date, { nullable: true })
  currentPeriodEnd: Date | null;

  @Field()
  cancelAtPeriodEnd: boolean;

  @Field(() => Date, { nullable: true })
  cancelAt: Date | null;

  @Field(() => Date, { nullable: true })
  trialEnd: Date | null;

  @Field(() => ScheduledPlanChangeModel, { nullable: true })
  scheduledChange: ScheduledPlanChangeModel | null;
}

@ObjectType('BillingUsage', { description: 'Use of one catalog metric against the plan that applies now.' })
export class BillingUsageModel {
  @Field()
  metric: string;

  @Field(() => MetricKindModel)
  kind: MetricKindModel;

  @Field(() => Int)
  used: number;

  @Field(() => Int, { description: '-1 means unlimited.' })
  limit: number;

  @Field(() => Int, { nullable: true, description: 'Null when unlimited; 0 when at or over the limit.' })
  remaining: number | null;

  @Field(() => Date, { nullable: true, description: 'Null for COUNT metrics (they have no period).' })
  periodStart: Date | null;

  @Field(() => Date, { nullable: true })
  periodEnd: Date | null;
}

@ObjectType('OverLimit', { description: 'A metric whose use exceeds the limit of a plan.' })
export class OverLimitModel {
  @Field()
  metric: string;

  @Field(() => Int)
  used: number;

  @Field(() => Int)
  limit: number;
}

@ObjectType('BillingWarning')
export class BillingWarningModel {
  @Field(() => BillingWarningCode)
  code: BillingWarningCode;

  @Field()
  message: string;

  @Field(() => Date, { nullable: true })
  until: Date | null;
}

/** Everything a billing settings page needs, for owners and members. */
@ObjectType('BillingAccount')
export class BillingAccountModel {
  @Field()
  businessId: string;

  @Field(() => PlanModel, { description: 'The plan that applies now, with its limits and features.' })
  plan: PlanModel;

  @Field(() => EntitlementSource)
  planSource: EntitlementSource;

  @Field(() => BillingSubscriptionModel, { nullable: true, description: 'The current Stripe subscription; null without one.' })
  subscription: BillingSubscriptionModel | null;

  @Field(() => [BillingUsageModel], { description: 'One entry per catalog metric.' })
  usage: BillingUsageModel[];

  @Field(() => [BillingWarningModel], { description: 'Why the plan may change soon or what needs attention.' })
  warnings: BillingWarningModel[];

  @Field(() => [OverLimitModel], { description: 'Metrics used beyond the current plan (after a downgrade, cancellation or trial end).' })
  overLimit: OverLimitModel[];

  @Field(() => TrialModel, { description: "The business's trial; status inactive before any." })
  trial: TrialModel;

  @Field()
  billingSyncStatus: string;

  @Field(() => Date, { nullable: true })
  lastSyncedAt: Date | null;

  @Field({
    deprecationReason: 'Use subscription.planKey.',
    description: 'The plan the subscription (or the default) names, before overrides and grace rules.',
  })
  subscribedPlanKey: string;

  @Field(() => String, { nullable: true, deprecationReason: 'Use subscription.status.' })
  subscriptionStatus: string | null;

  @Field({ deprecationReason: 'Use trial (the trials API).' })
  trialStatus: string;

  @Field(() => Date, { nullable: true, deprecationReason: 'Use trial (the trials API) or subscription.trialEnd.' })
  trialEndsAt: Date | null;

  @Field(() => Date, { nullable: true, deprecationReason: 'Use subscription.currentPeriodEnd.' })
  currentPeriodEnd: Date | null;

  @Field({ deprecationReason: 'Use subscription.cancelAtPeriodEnd.' })
  cancelAtPeriodEnd: boolean;
}
