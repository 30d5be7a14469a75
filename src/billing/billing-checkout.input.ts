import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { BillingIntervalModel } from '../plans/plan.model.js';

export enum PlanChangeTimingModel {
  NOW = 'now',
  PERIOD_END = 'period_end',
}
registerEnumType(PlanChangeTimingModel, {
  name: 'PlanChangeTiming',
  description: 'NOW: apply at once with proration. PERIOD_END: apply when the current period ends (no charge now).',
});

/** A plan and a billing interval: what every purchase or change names. */
@InputType({ isAbstract: true })
abstract class PlanIntervalInput {
  @Field()
  @IsString()
  @Length(1, 100)
  planKey: string;

  @Field(() => BillingIntervalModel)
  @IsEnum(BillingIntervalModel)
  interval: BillingIntervalModel;
}

@InputType('CreateCheckoutSessionInput')
export class CreateCheckoutSessionInput extends PlanIntervalInput {
  @Field(() => Boolean, {
    nullable: true,
    description:
      "Default true: a business that never had a trial gets the plan's trialDays. false: start paying at once.",
  })
  @IsOptional()
  @IsBoolean()
  withTrial?: boolean | null;
}

@InputType('PreviewPlanChangeInput')
export class PreviewPlanChangeInput extends PlanIntervalInput {}

@InputType('ChangePlanInput')
export class ChangePlanInput extends PlanIntervalInput {
  @Field(() => PlanChangeTimingModel, {
    nullable: true,
    description: 'Default: an upgrade applies NOW, a downgrade at PERIOD_END.',
  })
  @IsOptional()
  @IsEnum(PlanChangeTimingModel)
  when?: PlanChangeTimingModel | null;

  @Field(() => Date, {
    nullable: true,
    description: "The preview's effectiveAt, to be charged exactly the previewed proration (Stripe's proration_date).",
  })
  @IsOptional()
  prorationDate?: Date | null;
}
