import { Field, Int, ObjectType } from '@nestjs/graphql';
import { EntitlementSource } from '../entitlements/effective-plan.util.js';

@ObjectType('AdminPlanOverride', { description: 'A plan granted by an admin, winning over the subscription until `until`.' })
export class AdminPlanOverrideModel {
  @Field()
  planKey: string;

  @Field(() => Date, { nullable: true, description: 'Null: until revoked.' })
  until: Date | null;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true, description: 'The sub of the admin (or cli:/system: operator) who granted it.' })
  grantedBy: string | null;
}

@ObjectType('AdminUsage')
export class AdminUsageModel {
  @Field()
  metric: string;

  @Field({ description: 'count (what exists now) or period (used in the current billing period).' })
  kind: string;

  @Field(() => Int)
  used: number;

  @Field(() => Int, { description: '-1 = unlimited.' })
  limit: number;

  @Field({ description: 'True when more exists than the plan allows (after a downgrade, or a counter gone wrong).' })
  overLimit: boolean;
}

@ObjectType('AdminSyncLogEntry', { description: 'One change of billingSyncStatus.' })
export class AdminSyncLogEntryModel {
  @Field()
  status: string;

  @Field()
  source: string;

  @Field(() => String, { nullable: true })
  eventId: string | null;

  @Field(() => String, { nullable: true, description: 'JSON detail of the change.' })
  detail: string | null;

  @Field()
  createdAt: Date;
}

@ObjectType('AdminAuditEntry', { description: 'One admin or operator change of an account.' })
export class AdminAuditEntryModel {
  @Field()
  adminSub: string;

  @Field()
  action: string;

  @Field(() => String, { nullable: true })
  target: string | null;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true, description: 'JSON of the account state before the change.' })
  before: string | null;

  @Field(() => String, { nullable: true, description: 'JSON of the account state after the change.' })
  after: string | null;

  @Field()
  createdAt: Date;
}

@ObjectType('AdminAccountWarning')
export class AdminAccountWarningModel {
  @Field({ description: 'MULTIPLE_LIVE_SUBSCRIPTIONS: the customer has several live subscriptions; the highest-ranked decides the plan.' })
  code: string;

  @Field()
  message: string;
}

/** One account as an admin sees it; the lists below it are resolved only when asked for. */
@ObjectType('AdminBillingAccount')
export class AdminBillingAccountModel {
  @Field()
  businessId: string;

  @Field(() => String, { nullable: true })
  ownerUserId: string | null;

  @Field(() => String, { nullable: true })
  billingEmail: string | null;

  @Field(() => String, { nullable: true })
  stripeCustomerId: string | null;

  @Field({ description: 'The plan that applies now.' })
  effectivePlanKey: string;

  @Field(() => EntitlementSource, { description: 'Why that plan applies.' })
  planSource: EntitlementSource;

  @Field({ description: 'The plan the subscription (or the default) names, before overrides and grace rules.' })
  subscribedPlanKey: string;

  @Field(() => String, { nullable: true })
  subscriptionStatus: string | null;

  @Field(() => Date, { nullable: true })
  currentPeriodStart: Date | null;

  @Field(() => Date, { nullable: true })
  currentPeriodEnd: Date | null;

  @Field()
  cancelAtPeriodEnd: boolean;

  @Field(() => Date, { nullable: true })
  gracePeriodEndsAt: Date | null;

  @Field()
  trialStatus: string;

  @Field(() => String, { nullable: true })
  trialPlanKey: string | null;

  @Field(() => Date, { nullable: true })
  trialEndsAt: Date | null;

  @Field()
  billingSyncStatus: string;

  @Field(() => Date, { nullable: true })
  lastSyncedAt: Date | null;

  @Field(() => Int, { description: 'Live subscriptions (active, trialing, past_due, unpaid, paused) of the Stripe customer at the last sync.' })
  liveSubscriptionCount: number;

  @Field(() => [AdminAccountWarningModel], { description: 'What needs a human on this account; empty when nothing does.' })
  warnings: AdminAccountWarningModel[];

  @Field(() => AdminPlanOverrideModel, { nullable: true })
  override: AdminPlanOverrideModel | null;

  @Field()
  onboardingCompleted: boolean;

  @Field(() => Date, { nullable: true })
  onboardingCompletedAt: Date | null;

  @Field()
  createdAt: Date;
}

@ObjectType('PageInfo')
export class PageInfoModel {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor: string | null;
}

@ObjectType('AdminBillingAccountPage')
export class AdminBillingAccountPageModel {
  @Field(() => [AdminBillingAccountModel])
  nodes: AdminBillingAccountModel[];

  @Field(() => PageInfoModel)
  pageInfo: PageInfoModel;
}
