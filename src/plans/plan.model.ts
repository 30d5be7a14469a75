import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum BillingIntervalModel {
  MONTHLY = 'monthly',
  YEARLY = 'yearly',
}
registerEnumType(BillingIntervalModel, { name: 'BillingInterval' });

export enum MetricKindModel {
  COUNT = 'count',
  PERIOD = 'period',
}
registerEnumType(MetricKindModel, {
  name: 'MetricKind',
  description: 'COUNT: how many exist now. PERIOD: how many were used in the current usage window (see PlanLimit.period).',
});

@ObjectType('PlanPrice')
export class PlanPriceModel {
  @Field(() => BillingIntervalModel)
  interval: BillingIntervalModel;

  @Field(() => Int, { description: 'In the currency minor unit (cents).' })
  amountCents: number;

  @Field()
  currency: string;

  @Field(() => String, { nullable: true, description: 'Null for free plans and unconfigured prices.' })
  stripePriceId: string | null;
}

@ObjectType('PlanLimit')
export class PlanLimitModel {
  @Field()
  metric: string;

  @Field()
  name: string;

  @Field(() => Int, { description: '-1 means unlimited.' })
  limit: number;

  @Field()
  unlimited: boolean;

  @Field(() => MetricKindModel)
  kind: MetricKindModel;

  @Field(() => String, {
    nullable: true,
    description:
      'The window a PERIOD metric counts in: "month" (monthly from the billing cycle anchor, also on yearly prices) or "billing_period"; null for COUNT.',
  })
  period: string | null;
}

@ObjectType('PlanFeature')
export class PlanFeatureModel {
  @Field()
  key: string;

  @Field()
  enabled: boolean;
}

@ObjectType('Plan')
export class PlanModel {
  @Field()
  key: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => Int)
  sortOrder: number;

  @Field()
  isFree: boolean;

  @Field(() => Int, { description: 'Days of free trial the plan offers (startTrial, or a first checkout); 0 = none.' })
  trialDays: number;

  @Field(() => [PlanPriceModel])
  prices: PlanPriceModel[];

  @Field(() => [PlanLimitModel])
  limits: PlanLimitModel[];

  @Field(() => [PlanFeatureModel])
  features: PlanFeatureModel[];
}
