import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { COUNT_MULTIPLE_LIVE_SUBSCRIPTIONS, INBOX_HEALTH } from './metrics.sql.js';

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

/** Inbox numbers shared by /metrics and /health/billing. */
@Injectable()
export class InboxHealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async read(): Promise<InboxHealth> {
    const [row] = await this.dataSource.query(INBOX_HEALTH);
    const [accounts] = await this.dataSource.query(COUNT_MULTIPLE_LIVE_SUBSCRIPTIONS);
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
