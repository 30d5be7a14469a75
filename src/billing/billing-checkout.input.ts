import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { BillingIntervalModel } from '../plans/plan.model.js';

export enum PlanChangeTimingModel {
  NOW = 'now',
  PERIOD_END = 'period_end',
}
registerEnumType(PlanChangeTimingModel, {
  name: 'PlanChangeTiming',
  description: 'NOW: apply at once with proration. PERIOD_END: apply when the current period ends (no charge now).',
});

@InputType('CreateCheckoutSessionInput')
export class CreateCheckoutSessionInput {
  @Field()
  @IsString()
  @Length(1, 100)
  planKey: string;

  @Field(() => BillingIntervalModel)
  @IsEnum(BillingIntervalModel)
  interval: BillingIntervalModel;
}

@InputType('PreviewPlanChangeInput')
export class PreviewPlanChangeInput extends CreateCheckoutSessionInput {}

@InputType('ChangePlanInput')
export class ChangePlanInput extends CreateCheckoutSessionInput {
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
