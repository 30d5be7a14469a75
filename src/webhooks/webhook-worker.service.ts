import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import { AppConfigService } from '../config/app-config.service.js';
import { lockStripeCustomer } from '../database/customer-lock.util.js';
import { PgListener } from '../database/pg-listener.js';
import { AppException } from '../common/exceptions/app.exception.js';
import { StripeErrorCode } from '../stripe/stripe.exception.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { SyncResult } from '../billing/billing-sync.service.js';
import { StripeEventEntity } from './stripe-event.entity.js';
import { dataObject, StripeEventProcessorService } from './stripe-event-processor.service.js';
import { retryDelayMs, routeEvent, STRIPE_EVENTS_CHANNEL } from './stripe-event-routing.util.js';

const CLAIMABLE = `status IN ('pending', 'failed') AND next_attempt_at <= now()`;

/**
 * Drains the webhook inbox. Safe with any number of instances: rows are claimed with
 * FOR UPDATE SKIP LOCKED inside the transaction that applies them, work on one customer is
 * serialised by an advisory lock, and a crash rolls the transaction back so the event is simply
 * claimed again. Woken by LISTEN/NOTIFY, with polling as the fallback.
 */
@Injectable()
export class WebhookWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkerService.name);
  private readonly listener: PgListener;
  private poller: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
    private readonly processor: StripeEventProcessorService,
    private readonly events: EventEmitter2,
    private readonly metrics: MetricsService,
  ) {
    // The insert trigger notifies; polling covers the time the listener is down.
    this.listener = new PgListener({
      connectionString: config.values.databaseUrl!,
      channel: STRIPE_EVENTS_CHANNEL,
      applicationName: 'billing-webhook-listener',
      logger: this.logger,
      onNotification: () => this.wake(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.values.webhooks.workerEnabled) return;
    await this.listener.start();
    this.poller = setInterval(() => this.wake(), this.config.values.webhooks.pollIntervalMs);
    this.poller.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    await this.listener.stop();
    await this.draining;
  }

  /** Starts a drain unless one runs; one that runs goes round again. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /** Processes due events until none is left. Resolves when the inbox is drained (tests await it). */
  async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.processNext())) {
        // keep going
      }
    } catch (error) {
      this.logger.error({ err: error }, 'webhook worker failed to claim events; will retry');
    }
  }

  /** Claims and applies one customer's due events. False when nothing was due. */
  async processNext(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let claimed: StripeEventEntity[] = [];
    try {
      await runner.startTransaction();
      claimed = await this.claim(runner);
      if (claimed.length === 0) {
        await runner.commitTransaction();
        return false;
      }
      const result = await this.processor.process(runner.manager, claimed);
      await this.markProcessed(runner, claimed, result, null);
      await runner.commitTransaction();
      this.metrics.webhookHandled(claimed, 'processed');
      this.emitDomainEvents(claimed, result);
      return true;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (claimed.length === 0) throw error;
      await this.recordFailure(claimed, error);
      return true;
    } finally {
      await runner.release();
    }
  }

  private async claim(runner: QueryRunner): Promise<StripeEventEntity[]> {
    const repository = runner.manager.getRepository(StripeEventEntity);
    const [head] = await runner.query(
      `SELECT id, customer_id FROM stripe_events WHERE ${CLAIMABLE}
       ORDER BY next_attempt_at, stripe_created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    if (!head) return [];
    if (!head.customer_id) return repository.findBy({ id: head.id });
    // Serialise on the customer, then take every due event of it: one sync covers them all.
    await lockStripeCustomer(runner.manager, head.customer_id);
    const rows: { id: string }[] = await runner.query(
      `SELECT id FROM stripe_events WHERE customer_id = $1 AND ${CLAIMABLE} FOR UPDATE SKIP LOCKED`,
      [head.customer_id],
    );
    const ids = [head.id, ...rows.map((row) => row.id).filter((id) => id !== head.id)];
    const events = await repository.findBy(ids.map((id) => ({ id })));
    return events.sort((a, b) => a.stripeCreatedAt.getTime() - b.stripeCreatedAt.getTime() || a.id.localeCompare(b.id));
  }

  private async markProcessed(
    runner: QueryRunner,
    events: StripeEventEntity[],
    result: SyncResult | null,
    note: string | null,
  ): Promise<void> {
    await runner.query(
      `UPDATE stripe_events SET status = 'processed', processed_at = now(), business_id = $2, last_error = $3,
         attempts = attempts + 1
       WHERE id = ANY($1)`,
      [events.map((event) => event.id), result?.businessId ?? null, note],
    );
  }

  /**
   * Backoff, then the dead-letter queue after WEBHOOK_MAX_ATTEMPTS. When the last attempt
   * failed because Stripe is unreachable, the emergency fallback gets one try first.
   */
  private async recordFailure(events: StripeEventEntity[], error: unknown): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.config.values.webhooks;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const exhausted = events.some((event) => event.attempts + 1 >= maxAttempts);
    const stripeDown = error instanceof AppException && error.code === StripeErrorCode.STRIPE_UNAVAILABLE;
    if (exhausted && stripeDown && (await this.tryFallback(events, message))) return;

    this.logger.warn(
      { err: error, events: events.map((event) => event.id), exhausted },
      exhausted ? 'webhook events dead-lettered' : 'webhook events failed; will retry',
    );
    this.metrics.webhookHandled(events, exhausted ? 'dead' : 'failed');
    for (const event of events) {
      const attempts = event.attempts + 1;
      await this.dataSource.query(
        `UPDATE stripe_events SET attempts = $2, last_error = $3, status = $4,
           next_attempt_at = now() + $5 * interval '1 millisecond'
         WHERE id = $1 AND status IN ('pending', 'failed')`,
        [event.id, attempts, message.slice(0, 2000), attempts >= maxAttempts ? 'dead' : 'failed', retryDelayMs(attempts, retryBaseMs)],
      );
    }
  }

  private async tryFallback(events: StripeEventEntity[], reason: string): Promise<boolean> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        // Another instance may have applied them since our rollback: then there is nothing to do.
        const stillOpen: unknown[] = await manager.query(
          `SELECT id FROM stripe_events WHERE id = ANY($1) AND status IN ('pending', 'failed') FOR UPDATE`,
          [events.map((e) => e.id)],
        );
        if (stillOpen.length !== events.length) return true;
        const result = await this.processor.applyFallback(manager, events);
        await manager.query(
          `UPDATE stripe_events SET status = 'processed', processed_at = now(), business_id = $2,
             attempts = attempts + 1, last_error = $3 WHERE id = ANY($1) AND status IN ('pending', 'failed')`,
          [events.map((e) => e.id), result?.businessId ?? null, `emergency fallback after: ${reason}`.slice(0, 2000)],
        );
        this.metrics.webhookHandled(events, 'fallback');
        if (!result) return true;
        this.logger.warn({ events: events.map((e) => e.id), businessId: result.businessId }, 'emergency fallback applied');
        return true;
      });
    } catch (error) {
      this.logger.error({ err: error }, 'emergency fallback failed');
      return false;
    }
  }

  private emitDomainEvents(events: StripeEventEntity[], result: SyncResult | null): void {
    if (!result) return;
    for (const event of events) {
      const domainEvent = routeEvent(event.type)?.domainEvent;
      if (domainEvent) {
        this.events.emit(domainEvent, {
          businessId: result.businessId,
          stripeEventId: event.id,
          stripeEventType: event.type,
          object: dataObject(event),
        });
      }
    }
  }
}
