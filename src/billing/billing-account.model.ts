import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EntitlementSource } from '../entitlements/effective-plan.util.js';
import { PlanModel } from '../plans/plan.model.js';

registerEnumType(EntitlementSource, {
  name: 'EntitlementSource',
  description: 'Why the effective plan applies.',
});

@ObjectType('BillingAccount')
export class BillingAccountModel {
  @Field()
  businessId: string;

  @Field(() => PlanModel, { description: 'The plan that applies now, with its limits and features.' })
  plan: PlanModel;

  @Field(() => EntitlementSource)
  planSource: EntitlementSource;

  @Field(() => [String], { description: 'Why the plan may change soon, e.g. an overdue payment.' })
  warnings: string[];

  @Field({ description: 'The plan the subscription (or the default) names, before overrides and grace rules.' })
  subscribedPlanKey: string;

  @Field(() => String, { nullable: true })
  subscriptionStatus: string | null;

  @Field()
  trialStatus: string;

  @Field(() => Date, { nullable: true })
  trialEndsAt: Date | null;

  @Field(() => Date, { nullable: true })
  currentPeriodEnd: Date | null;

  @Field()
  cancelAtPeriodEnd: boolean;

  @Field()
  billingSyncStatus: string;

  @Field(() => Date, { nullable: true })
  lastSyncedAt: Date | null;
}
