import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { PgListener } from '../database/pg-listener.js';
import { DomainEventEntity } from './domain-event.entity.js';

/** NOTIFY channel of new outbox rows (the insert trigger of the migration uses the same name). */
export const DOMAIN_EVENTS_CHANNEL = 'domain_events';
const BATCH = 50;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 300_000;

/**
 * Emits committed outbox rows to the in-process EventEmitter, at least once: a row is marked
 * dispatched in the transaction that emitted it, so a crash before the commit emits it again.
 * Rows are claimed with SKIP LOCKED, so any number of instances can run a relay.
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
   * that run has claimed are hidden from another claim (SKIP LOCKED) until it commits, so only
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
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(DomainEventEntity)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('e.dispatched_at IS NULL')
        // A fresh row is due at once whatever the clock says; a failed one waits its backoff.
        .andWhere('(e.attempts = 0 OR e.next_attempt_at <= :now)', { now })
        .orderBy('e.id')
        .limit(BATCH)
        .getMany();
      for (const row of rows) {
        try {
          await this.events.emitAsync(row.name, { ...row.payload, businessId: row.businessId, eventKey: row.key });
          await manager.update(DomainEventEntity, { id: row.id }, { dispatchedAt: now, attempts: row.attempts + 1, lastError: null });
        } catch (error) {
          const delay = Math.min(RETRY_BASE_MS * 2 ** row.attempts, RETRY_MAX_MS);
          this.logger.warn({ err: error, domainEvent: row.name, key: row.key }, 'domain event listener failed; will retry');
          await manager.update(DomainEventEntity, { id: row.id }, {
            attempts: row.attempts + 1,
            lastError: String((error as Error)?.message ?? error).slice(0, 2000),
            nextAttemptAt: new Date(now.getTime() + delay),
          });
        }
      }
      return rows.length;
    });
  }
}
