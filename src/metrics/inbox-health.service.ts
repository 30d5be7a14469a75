import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { DEAD_LETTER_STATUSES } from '../webhooks/stripe-event.entity.js';

export interface InboxHealth {
  /** pending + failed (due for a retry later). */
  backlog: number;
  /** Seconds since the oldest pending or failed event was received; 0 when none. */
  oldestPendingAgeSeconds: number;
  /** Dead (or parked unowned) events of customers a business owns. */
  dead: number;
  /** Dead or parked events of Stripe customers no business owns (listed apart so they hide nothing). */
  deadUnowned: number;
  /** Accounts whose Stripe customer has more than one live subscription (may be billed twice). */
  multipleLiveSubscriptions: number;
}

/**
 * SQL for an event whose customer no business owns: the worker never resolved a business and no
 * billing account carries the customer id.
 */
export const UNOWNED_EVENT_SQL = `(e.business_id IS NULL AND NOT EXISTS
  (SELECT 1 FROM billing_accounts a WHERE a.stripe_customer_id = e.customer_id))`;

/**
 * SQL for an event that waits for a human: dead, or parked as unowned by the worker. A parked
 * event whose customer a business has owned since counts as that business's dead letter.
 */
export const DEAD_LETTER_SQL = `e.status IN (${DEAD_LETTER_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** Inbox numbers shared by /metrics and /health/billing. */
@Injectable()
export class InboxHealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async read(): Promise<InboxHealth> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE e.status IN ('pending', 'failed'))::int AS backlog,
              min(e.received_at) FILTER (WHERE e.status IN ('pending', 'failed')) AS oldest,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND NOT ${UNOWNED_EVENT_SQL})::int AS dead,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND ${UNOWNED_EVENT_SQL})::int AS dead_unowned
         FROM stripe_events e WHERE e.status IN ('pending', 'failed') OR ${DEAD_LETTER_SQL}`,
    );
    const [accounts] = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM billing_accounts WHERE live_subscription_count > 1',
    );
    const oldest = row.oldest as Date | null;
    return {
      backlog: row.backlog,
      oldestPendingAgeSeconds: oldest ? Math.max(0, (this.clock.now().getTime() - oldest.getTime()) / 1000) : 0,
      dead: row.dead,
      deadUnowned: row.dead_unowned,
      multipleLiveSubscriptions: accounts.n,
    };
  }
}
