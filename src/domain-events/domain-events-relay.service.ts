import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { PgListener } from '../database/pg-listener.js';
import { CLAIM_SQL, MARK_DISPATCHED_SQL, RECORD_DISPATCH_FAILURE_SQL, RENEW_LEASE_SQL } from './domain-events.sql.js';

/** NOTIFY channel of new outbox rows (the insert trigger of the migration uses the same name). */
export const DOMAIN_EVENTS_CHANNEL = 'domain_events';
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 300_000;
/**
 * How long a row's lease lasts: from the claim until its emission starts, and again from then
 * (renewed per row, so a batch of slow listeners does not use up the last rows' lease). Longer
 * than any one listener should take: a listener still running past it may see its event emitted
 * a second time by another relay, which at-least-once allows.
 */
export const DOMAIN_EVENT_LEASE_MS = 300_000;

interface ClaimedRow {
  id: string;
  name: string;
  key: string;
  business_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * Emits committed outbox rows to the in-process EventEmitter, **at least once**. A batch is
 * claimed with a lease and a token of its own in one statement; each row's lease is renewed
 * right before it is emitted, with no transaction open (a listener's email I/O holds no row
 * lock), and the row is marked dispatched afterwards. Renewal and mark act only while the row
 * still carries the claim's token: a row another relay claimed after its lease ended is skipped,
 * and its new holder's mark is never overwritten. A crash between the emission and the mark, or
 * a listener that throws, emits the row again later, to every listener of its name: listeners
 * deduplicate on (name, eventKey). Any number of instances can run a relay; a leased row is
 * skipped by the others until its lease ends.
 */
@Injectable()
export class DomainEventsRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DomainEventsRelayService.name);
  private readonly listener: PgListener;
  private poller: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
  ) {
    this.listener = new PgListener({
      connectionString: config.values.databaseUrl!,
      channel: DOMAIN_EVENTS_CHANNEL,
      applicationName: 'billing-domain-events-listener',
      logger: this.logger,
      onNotification: () => this.wake(),
      onListening: () => this.wake(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
    this.poller = setInterval(() => this.wake(), this.config.values.webhooks.pollIntervalMs);
    this.poller.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    await this.listener.stop();
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatchAll().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * Dispatches every due row, after any dispatch this instance runs in the background: rows
   * that run has claimed are leased, so another claim skips them until it marks them, and only
   * waiting for it tells that they were emitted. Tests and the CLI await it.
   */
  async drain(): Promise<void> {
    do {
      await this.running;
      await this.dispatchAll();
    } while (this.running);
  }

  /** Dispatches every due row this call can claim; resolves when none is left. */
  private async dispatchAll(): Promise<void> {
    try {
      while (!this.stopped && (await this.dispatchBatch()) > 0) {
        // keep going
      }
    } catch (error) {
      this.logger.error({ err: error }, 'domain events relay failed; will retry');
    }
  }

  private async dispatchBatch(): Promise<number> {
    const now = this.clock.now();
    const token = randomUUID();
    const claimed = rowsOf<ClaimedRow>(await this.dataSource.query(CLAIM_SQL, [now, this.leaseEnd(), token]));
    claimed.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const row of claimed) {
      // The batch's lease started at the claim; earlier rows' listeners may have used it up.
      if (!(await this.stillHeld(RENEW_LEASE_SQL, [row.id, token, this.leaseEnd()]))) {
        this.logger.warn({ domainEvent: row.name, key: row.key }, 'domain event lease ended and another relay claimed it; skipped');
        continue;
      }
      let marked: boolean;
      try {
        await this.events.emitAsync(row.name, { ...row.payload, businessId: row.business_id, eventKey: row.key });
        marked = await this.stillHeld(MARK_DISPATCHED_SQL, [row.id, token, this.clock.now()]);
      } catch (error) {
        // Only the holder writes attempts, so the claimed count is still the row's.
        const delay = Math.min(RETRY_BASE_MS * 2 ** row.attempts, RETRY_MAX_MS);
        this.logger.warn({ err: error, domainEvent: row.name, key: row.key }, 'domain event listener failed; will retry');
        marked = await this.stillHeld(RECORD_DISPATCH_FAILURE_SQL, [
          row.id,
          token,
          String((error as Error)?.message ?? error).slice(0, 2000),
          new Date(this.clock.now().getTime() + delay),
        ]);
      }
      if (!marked) {
        this.logger.warn(
          { domainEvent: row.name, key: row.key },
          'domain event listener outlived its lease and another relay claimed the row; its outcome is left to that relay',
        );
      }
    }
    return claimed.length;
  }

  private leaseEnd(): Date {
    return new Date(this.clock.now().getTime() + DOMAIN_EVENT_LEASE_MS);
  }

  /** Runs a statement that acts only while the claim holds the row; true when it did. */
  private async stillHeld(sql: string, parameters: unknown[]): Promise<boolean> {
    return rowsOf(await this.dataSource.query(sql, parameters)).length > 0;
  }
}

/** TypeORM answers UPDATE ... RETURNING with [rows, affected]. */
function rowsOf<T>(result: unknown): T[] {
  if (!Array.isArray(result)) return [];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}
