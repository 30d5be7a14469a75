import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import { StripeEventEntity } from './stripe-event.entity.js';
import { customerIdOf, routeEvent } from './stripe-event-routing.util.js';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception.js';

export interface WebhookReceipt {
  received: true;
  id: string;
  duplicate: boolean;
  status: 'pending' | 'ignored';
}

/**
 * Intake: verify, store, answer. Nothing that can be slow (Stripe calls, syncing) happens
 * before the answer; the worker does that from the inbox.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);

  constructor(
    private readonly stripe: StripeClientService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookReceipt> {
    if (!rawBody) {
      throw new WebhooksException(WebhooksErrorCode.RAW_BODY_MISSING, 'Send the event as application/json');
    }
    const event = this.stripe.verifyWebhook(rawBody, signature);
    const wrongMode = event.livemode !== this.stripe.livemode;
    const status = !wrongMode && routeEvent(event.type) ? 'pending' : 'ignored';
    let inserted: unknown[];
    try {
      inserted = await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(StripeEventEntity)
        .values({
          id: event.id,
          type: event.type,
          livemode: event.livemode,
          apiVersion: event.apiVersion,
          stripeCreatedAt: event.created,
          payload: event.raw as object,
          status,
          customerId: customerIdOf(event.object),
          lastError: wrongMode ? `${event.livemode ? 'live' : 'test'}-mode event, this instance uses the other mode` : null,
          nextAttemptAt: () => 'now()',
          receivedAt: () => 'now()',
        })
        .orIgnore()
        .returning(['id'])
        .execute()
        .then((result) => result.raw as unknown[]);
    } catch (error) {
      this.logger.error({ err: error, eventId: event.id }, 'webhook inbox insert failed');
      throw new WebhooksException(WebhooksErrorCode.INBOX_UNAVAILABLE, 'Event store unavailable; retry later');
    }
    return { received: true, id: event.id, duplicate: inserted.length === 0, status };
  }
}
