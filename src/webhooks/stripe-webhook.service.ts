import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import { parseStripeEvent } from './parse-stripe-event.util.js';
import { customerIdOf, routeEvent } from './stripe-event-routing.util.js';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception.js';
import { INSERT_EVENT, WAKE_WORKERS } from './webhooks.sql.js';

export interface WebhookReceipt {
  received: true;
  id: string;
  duplicate: boolean;
  status: 'pending' | 'ignored';
}

/** SQLSTATE class 22 (data exception): the event's content, not the database, is the problem. */
const DATA_EXCEPTION = /^22/;

/**
 * Intake: verify, store, answer. Nothing that can be slow (Stripe calls, syncing) happens
 * before the answer; the worker does that from the inbox.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);
  private notifying = false;
  private notifyAgain = false;

  constructor(
    private readonly stripe: StripeClientService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookReceipt> {
    if (!rawBody || rawBody.length === 0) {
      throw new WebhooksException(WebhooksErrorCode.RAW_BODY_MISSING, 'Send the event as application/json');
    }
    const text = rawBody.toString('utf8');
    // The signature is checked on the exact bytes before anything is parsed or written.
    this.stripe.verifyWebhookSignature(text, signature);
    const parsed = parseStripeEvent(text);
    if (!parsed.ok) {
      throw new WebhooksException(WebhooksErrorCode.INVALID_EVENT, `Signed body is not a usable Stripe event: ${parsed.problem}`, {
        problem: parsed.problem,
      });
    }
    const event = parsed.event;
    const wrongMode = event.livemode !== this.stripe.livemode;
    const status = !wrongMode && routeEvent(event.type) ? 'pending' : 'ignored';
    let inserted: boolean;
    try {
      const result = await this.pool().query({
        ...INSERT_EVENT,
        values: [
          event.id,
          event.type,
          event.livemode,
          event.apiVersion,
          event.created,
          event.payload,
          event.rawPayload,
          status,
          customerIdOf(event.object),
          wrongMode ? `${event.livemode ? 'live' : 'test'}-mode event, this instance uses the other mode` : null,
        ],
      });
      inserted = result.rowCount === 1;
    } catch (error) {
      if (DATA_EXCEPTION.test(String((error as { code?: unknown }).code ?? ''))) {
        throw new WebhooksException(WebhooksErrorCode.INVALID_EVENT, 'Signed event cannot be stored: its content is invalid', {
          problem: (error as Error).message,
        });
      }
      this.logger.error({ err: error, eventId: event.id }, 'webhook inbox insert failed');
      throw new WebhooksException(WebhooksErrorCode.INBOX_UNAVAILABLE, 'Event store unavailable; retry later');
    }
    if (inserted && status === 'pending') this.wakeWorkers();
    return { received: true, id: event.id, duplicate: !inserted, status };
  }

  /**
   * Tells every instance's worker that events are waiting. A NOTIFY inside the insert would
   * serialise every intake commit on PostgreSQL's notify queue lock, so it is sent after the
   * commit instead, at most one at a time: events stored while one is in flight get the next
   * one. Polling covers a crash between the insert and the NOTIFY.
   */
  private wakeWorkers(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    this.pool()
      .query(WAKE_WORKERS)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'waking the webhook workers failed; they poll'))
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.wakeWorkers();
        }
      });
  }

  /** TypeORM's own pg pool (same connections, same limits), used directly on this hot path. */
  private pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }
}
