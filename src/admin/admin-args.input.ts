import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsDate, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { STRIPE_EVENT_STATUSES } from '../webhooks/stripe-event.entity.js';
import { TRIAL_STATUSES } from '../billing/billing-account.entity.js';

@InputType('AdminBillingAccountFilter')
export class AdminBillingAccountFilterInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  billingSyncStatus?: string;

  @Field({ nullable: true, description: 'The plan that applies now (overrides, trials and grace included).' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  planKey?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  subscriptionStatus?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsIn(TRIAL_STATUSES)
  trialStatus?: string;

  @Field({ nullable: true, description: 'Part of the billing email, case-insensitive.' })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  email?: string;

  @Field({ nullable: true, description: 'Accounts holding more of a count metric than their plan allows.' })
  @IsOptional()
  @IsBoolean()
  overLimit?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  hasDeadLetters?: boolean;

  @Field({ nullable: true, description: 'Last synced from Stripe before this time, or never.' })
  @IsOptional()
  @IsDate()
  syncedBefore?: Date;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: '1-100.' })
  @IsInt()
  @Min(1)
  @Max(100)
  first: number = 20;

  @Field({ nullable: true, description: 'endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  after?: string;
}

@ArgsType()
export class AdminBillingAccountsArgs extends PageArgs {
  @Field(() => AdminBillingAccountFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AdminBillingAccountFilterInput)
  filter?: AdminBillingAccountFilterInput;
}

@ArgsType()
export class AdminAccountRefArgs {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessId?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsEmail()
  email?: string;
}

@ArgsType()
export class AdminWebhookEventsArgs extends PageArgs {
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(STRIPE_EVENT_STATUSES)
  status?: string;

  @Field({ nullable: true, description: 'Stripe event type, e.g. customer.subscription.updated.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  type?: string;

  @Field({
    nullable: true,
    defaultValue: false,
    description: 'true: only events of Stripe customers no business owns; false (the default): only owned ones. Never both at once.',
  })
  @IsOptional()
  @IsBoolean()
  unowned?: boolean;
}

@ArgsType()
export class AdminBusinessArgs {
  @Field()
  @IsString()
  @Length(1, 200)
  businessId: string;

  @Field({ nullable: true, description: 'Why, for the audit log.' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

@ArgsType()
export class AdminReasonedBusinessArgs {
  @Field()
  @IsString()
  @Length(1, 200)
  businessId: string;

  @Field({ description: 'Why, for the audit log.' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

@ArgsType()
export class AdminGrantPlanArgs extends AdminReasonedBusinessArgs {
  @Field()
  @IsString()
  @Length(1, 100)
  planKey: string;

  @Field(() => Date, { nullable: true, description: 'Null: until revoked.' })
  @IsOptional()
  @IsDate()
  until?: Date;
}

@ArgsType()
export class AdminExtendTrialArgs extends AdminReasonedBusinessArgs {
  @Field(() => Date)
  @IsDate()
  until: Date;
}

@ArgsType()
export class AdminCompleteOnboardingArgs extends AdminBusinessArgs {
  @Field({ nullable: true, description: 'Grant this plan; without it the plan is synced from Stripe.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  planKey?: string;
}

@ArgsType()
export class AdminReplayEventArgs {
  @Field()
  @IsString()
  @Length(1, 255)
  eventId: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

@ArgsType()
export class AdminReplayDeadLettersArgs {
  @Field({ nullable: true, description: 'Only this business; without it every owned dead letter (see unowned).' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessId?: string;

  @Field({
    nullable: true,
    defaultValue: false,
    description: 'true (without businessId): the dead letters of Stripe customers no business owns instead of the owned ones.',
  })
  @IsOptional()
  @IsBoolean()
  unowned?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

@ArgsType()
export class FirstArgs {
  @Field(() => Int, { defaultValue: 10, description: '1-100.' })
  @IsInt()
  @Min(1)
  @Max(100)
  first: number = 10;
}
