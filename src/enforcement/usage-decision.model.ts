import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { UsageDecisionReason } from './usage-decision-reason.enum.js';

registerEnumType(UsageDecisionReason, { name: 'UsageDecisionReason', description: 'Why canUse answered as it did.' });

@ObjectType('UsageDecision', { description: 'Whether an amount of a metric would be allowed now. Reserves nothing.' })
export class UsageDecisionModel {
  @Field()
  allowed: boolean;

  @Field(() => UsageDecisionReason)
  reason: UsageDecisionReason;

  @Field()
  metric: string;

  @Field({ description: 'The plan that applies now.' })
  plan: string;

  @Field(() => Int, { description: 'Used so far: now for COUNT metrics, in the current period for PERIOD metrics.' })
  used: number;

  @Field(() => Int, { description: '-1 means unlimited.' })
  limit: number;

  @Field(() => Int)
  requested: number;

  @Field(() => Int, { description: 'What is left; -1 means unlimited.' })
  remaining: number;

  @Field()
  upgradeRequired: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'When not allowed: the cheapest plan that would allow it, or null when none does.',
  })
  suggestedPlan: string | null;
}
