import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { NOTIFY } from '../database/database.sql.js';
import { STRIPE_EVENTS_CHANNEL } from './stripe-event-routing.util.js';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception.js';
import { INBOX_STATS, REPLAY_EVENT } from './webhooks.sql.js';

export interface InboxStats {
  pending: number;
  failed: number;
  dead: number;
  /** Events of Stripe customers no business owns, parked; listed apart from dead letters. */
  unowned: number;
}

/** Operator view of the inbox: counts, and replay of dead (or any) events. */
@Injectable()
export class WebhookInboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async stats(): Promise<InboxStats> {
    const [row] = await this.dataSource.query(INBOX_STATS);
    return row as InboxStats;
  }

  /**
   * Puts an event (dead, unowned, or any other) back in the queue with a fresh retry window.
   * Replaying an applied event is harmless: the worker re-reads the customer from Stripe rather
   * than re-applying the event, and its domain events were recorded once (keyed by event id).
   * Pass the manager of a transaction (an admin repair with its audit row) to commit together.
   */
  async replay(eventId: string, manager?: EntityManager): Promise<void> {
    const db = manager ?? this.dataSource;
    const updated: [unknown[], number] = await db.query(REPLAY_EVENT, [eventId]);
    if (updated[1] === 0) {
      throw new WebhooksException(WebhooksErrorCode.EVENT_NOT_FOUND, `No replayable event ${eventId}`, { eventId });
    }
    await db.query(NOTIFY, [STRIPE_EVENTS_CHANNEL, eventId]);
  }
}
