import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { PgListener } from '../database/pg-listener.js';
import { DomainEventEntity } from './domain-event.entity.js';
import { CLAIM_SQL } from './domain-events.sql.js';

/** NOTIFY channel of new outbox rows (the insert trigger of the migration uses the same name). */
export const DOMAIN_EVENTS_CHANNEL = 'domain_events';
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 300_000;
/**
 * How long a claim lasts. Longer than any listener should take: a listener still running past it
 * may see its event emitted a second time (by another relay), which at-least-once allows.
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
 * claimed with a lease in one statement; each row is then emitted with no transaction open (a
 * listener's email I/O holds no row lock) and marked dispatched afterwards. A crash between the
 * emission and the mark, or a listener that throws, emits the row again later, to every
 * listener of its name: listeners deduplicate on (name, eventKey). Any number of instances can
 * run a relay; a leased row is skipped by the others until its lease ends.
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
    const claimed = rowsOf<ClaimedRow>(await this.dataSource.query(CLAIM_SQL, [now, new Date(now.getTime() + DOMAIN_EVENT_LEASE_MS)]));
    claimed.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const row of claimed) {
      try {
        await this.events.emitAsync(row.name, { ...row.payload, businessId: row.business_id, eventKey: row.key });
        await this.dataSource.getRepository(DomainEventEntity).update(
          { id: row.id },
          { dispatchedAt: this.clock.now(), attempts: row.attempts + 1, lastError: null, leasedUntil: null },
        );
      } catch (error) {
        const delay = Math.min(RETRY_BASE_MS * 2 ** row.attempts, RETRY_MAX_MS);
        this.logger.warn({ err: error, domainEvent: row.name, key: row.key }, 'domain event listener failed; will retry');
        await this.dataSource.getRepository(DomainEventEntity).update(
          { id: row.id },
          {
            attempts: row.attempts + 1,
            lastError: String((error as Error)?.message ?? error).slice(0, 2000),
            nextAttemptAt: new Date(now.getTime() + delay),
            leasedUntil: null,
          },
        );
      }
    }
    return claimed.length;
  }
}

/** TypeORM answers UPDATE ... RETURNING with [rows, affected]. */
function rowsOf<T>(result: unknown): T[] {
  if (!Array.isArray(result)) return [];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}
