import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/** The trial's state; the values are the words billing_accounts.trial_status stores. */
export enum TrialStatusModel {
  inactive = 'inactive',
  active = 'active',
  expired = 'expired',
  converted = 'converted',
}
registerEnumType(TrialStatusModel, {
  name: 'TrialStatus',
  description: 'inactive (never had one), active, expired (ended unpaid) or converted (paid for a plan).',
});

@ObjectType('Trial')
export class TrialModel {
  @Field(() => TrialStatusModel)
  status: TrialStatusModel;

  @Field(() => String, { nullable: true, description: 'The plan tried; null before any trial.' })
  planKey: string | null;

  @Field(() => Date, { nullable: true })
  startDate: Date | null;

  @Field(() => Date, { nullable: true })
  endDate: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a paid subscription converted the trial.' })
  conversionDate: Date | null;

  @Field(() => Int, { nullable: true, description: 'Whole days until the end, rounded up, while active; null otherwise.' })
  daysLeft: number | null;
}
