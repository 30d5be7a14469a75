import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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
    const inserted: unknown[] = await manager.query(
      `INSERT INTO domain_events (name, key, business_id, payload) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (name, key) DO NOTHING RETURNING id`,
      [event.name, event.key, event.businessId, JSON.stringify(event.payload)],
    );
    return inserted.length > 0;
  }

  /** Many events in one statement (set-based jobs); returns how many were new. */
  async recordMany(manager: EntityManager, events: readonly DomainEventRecord[]): Promise<number> {
    if (events.length === 0) return 0;
    const inserted: unknown[] = await manager.query(
      `INSERT INTO domain_events (name, key, business_id, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
       ON CONFLICT (name, key) DO NOTHING RETURNING id`,
      [
        events.map((e) => e.name),
        events.map((e) => e.key),
        events.map((e) => e.businessId),
        events.map((e) => JSON.stringify(e.payload)),
      ],
    );
    return inserted.length;
  }
}
