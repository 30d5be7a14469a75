import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BillingModule } from '../billing/billing.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { StripeEventEntity } from './stripe-event.entity.js';
import { StripeEventProcessorService } from './stripe-event-processor.service.js';
import { StripeWebhookService } from './stripe-webhook.service.js';
import { WebhookInboxService } from './webhook-inbox.service.js';
import { WebhookWorkerService } from './webhook-worker.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([StripeEventEntity]), StripeModule, BillingModule, TrialsModule],
  providers: [StripeWebhookService, StripeEventProcessorService, WebhookWorkerService, WebhookInboxService],
  exports: [WebhookInboxService, WebhookWorkerService, StripeWebhookService],
})
export class WebhooksModule {}
