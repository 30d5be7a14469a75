import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RECORD_DOMAIN_EVENT, RECORD_DOMAIN_EVENTS } from './domain-events.sql.js';

export interface DomainEventRecord {
  /** e.g. `billing.payment_failed`, `trial.expired`. */
  name: string;
  businessId: string | null;
  /**
   * What makes this occurrence unique for its name, e.g. the Stripe event id. Recording the same
   * (name, key) again is a no-op: a replay never emits twice.
   */
  key: string;
  payload: Record<string, unknown>;
}

/**
 * The one way to publish a domain event: write it in the transaction of the change it reports
 * (`manager`), so it exists if and only if the change committed. The relay emits it after commit.
 */
@Injectable()
export class DomainEventsService {
  /** True when the event was stored, false when (name, key) was already recorded. */
  async record(manager: EntityManager, event: DomainEventRecord): Promise<boolean> {
    const inserted: unknown[] = await manager.query(RECORD_DOMAIN_EVENT, [
      event.name,
      event.key,
      event.businessId,
      JSON.stringify(event.payload),
    ]);
    return inserted.length > 0;
  }

  /** Many events in one statement (set-based jobs); returns how many were new. */
  async recordMany(manager: EntityManager, events: readonly DomainEventRecord[]): Promise<number> {
    if (events.length === 0) return 0;
    const inserted: unknown[] = await manager.query(RECORD_DOMAIN_EVENTS, [
      events.map((e) => e.name),
      events.map((e) => e.key),
      events.map((e) => e.businessId),
      events.map((e) => JSON.stringify(e.payload)),
    ]);
    return inserted.length;
  }
}
