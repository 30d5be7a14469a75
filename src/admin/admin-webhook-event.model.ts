import { Field, Int, ObjectType } from '@nestjs/graphql';
import { PageInfoModel } from './admin-account.model.js';

@ObjectType('AdminWebhookEvent')
export class AdminWebhookEventModel {
  @Field()
  id: string;

  @Field()
  type: string;

  @Field({ description: 'pending, processed, ignored, failed or dead (the dead-letter queue).' })
  status: string;

  @Field(() => Int)
  attempts: number;

  @Field(() => Date, { nullable: true, description: 'When the worker tries again (pending and failed events).' })
  nextAttemptAt: Date | null;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => String, { nullable: true })
  customerId: string | null;

  @Field(() => String, { nullable: true })
  businessId: string | null;

  @Field({ description: 'True for events of a Stripe customer that no business owns.' })
  unowned: boolean;

  @Field()
  stripeCreatedAt: Date;

  @Field()
  receivedAt: Date;

  @Field(() => Date, { nullable: true })
  processedAt: Date | null;
}

@ObjectType('AdminWebhookEventPage')
export class AdminWebhookEventPageModel {
  @Field(() => [AdminWebhookEventModel])
  nodes: AdminWebhookEventModel[];

  @Field(() => PageInfoModel)
  pageInfo: PageInfoModel;
}

@ObjectType('AdminWebhookStats')
export class AdminWebhookStatsModel {
  @Field(() => Int)
  pending: number;

  @Field(() => Int)
  failed: number;

  @Field(() => Int)
  processed: number;

  @Field(() => Int)
  ignored: number;

  @Field(() => Int, { description: 'Dead letters (dead, or parked as unowned) of customers a business owns: these need a replay.' })
  dead: number;

  @Field(() => Int, { description: 'Dead or parked (unowned) events of Stripe customers no business owns, counted apart.' })
  deadUnowned: number;

  @Field({ description: 'Age in seconds of the oldest pending or failed event; 0 when none.' })
  oldestPendingAgeSeconds: number;
}

@ObjectType('AdminReplayResult')
export class AdminReplayResultModel {
  @Field(() => Int)
  replayed: number;

  @Field(() => [String])
  eventIds: string[];
}
