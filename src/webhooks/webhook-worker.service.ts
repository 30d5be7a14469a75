import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppException } from '../common/exceptions/app.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { ADVISORY_LOCK } from '../database/advisory-locks.constant.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PgListener } from '../database/pg-listener.js';
import { StripeEventEntity } from './stripe-event.entity.js';
import { StripeEventProcessorService } from './stripe-event-processor.service.js';
import { compareEventAge } from './stripe-event-order.util.js';
import { STRIPE_EVENTS_CHANNEL } from './stripe-event-routing.util.js';
import { classifyFailure, decideRetry, FailureKind, failureRun, type RetryDecision } from './webhook-retry.util.js';
import { DUE_EVENT_KEYS, RECORD_FAILURE, RELEASE_INBOX_KEY_LOCK, TRY_INBOX_KEY_LOCK } from './webhooks.sql.js';

/**
 * Drains the webhook inbox. Safe with any number of instances: a worker holds a session-level
 * advisory lock on the customer whose events it processes (taken with try-lock, so workers spread
 * over customers), reads Stripe with no transaction open, and applies the state, marks the
 * events and records their domain events in one short transaction. A crash closes the session,
 * which frees the lock; nothing was marked, so the events are simply claimed again.
 */
@Injectable()
export class WebhookWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkerService.name);
  private readonly listener: PgListener;
  private poller: NodeJS.Timeout | undefined;
  /** Drain loops running now, at most webhooks.workerConcurrency. */
  private readonly loops = new Set<Promise<void>>();
  private wakeAgain = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
    private readonly processor: StripeEventProcessorService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {
    // The intake notifies after its inserts commit (and replay does); polling covers the time the listener is down.
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
    await Promise.all([...this.loops]);
  }

  /**
   * Starts a drain loop unless all webhooks.workerConcurrency loops run; then one of them goes
   * round again when it ends. A loop that claimed a customer starts another (up to the limit),
   * so the loops fan out over customers while there is work and end when there is none. Each
   * loop holds its customer's advisory lock, as separate instances do: one customer's events are
   * never processed by two loops at once, and stay in order.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.loops.size >= this.config.values.webhooks.workerConcurrency) {
      this.wakeAgain = true;
      return;
    }
    const loop: Promise<void> = this.drain(() => this.spread()).finally(() => {
      this.loops.delete(loop);
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
    this.loops.add(loop);
  }

  /** One more loop while there is work and room for it. */
  private spread(): void {
    if (!this.stopped && this.loops.size < this.config.values.webhooks.workerConcurrency) this.wake();
  }

  /**
   * Processes due events until none is left. Resolves when the inbox is drained (tests await it).
   * `onClaimed` runs each time a customer's events were claimed.
   */
  async drain(onClaimed?: () => void): Promise<void> {
    try {
      while (!this.stopped && (await this.processNext(onClaimed))) {
        // keep going
      }
    } catch (error) {
      this.logger.error({ err: error }, 'webhook worker failed to claim events; will retry');
    }
  }

  /** Claims and applies one customer's due events. False when nothing was due (or all is taken). */
  async processNext(onClaimed?: () => void): Promise<boolean> {
    const now = this.clock.now();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let held: string | null = null;
    try {
      held = await this.claimKey(runner, now);
      if (held === null) return false;
      onClaimed?.();
      // Read after the lock: a worker that held it committed before letting go.
      const events = await this.openEvents(runner.manager, held, now);
      if (events.length === 0) return true;
      try {
        await this.processor.process(events);
        this.metrics.webhookHandled(events, 'processed');
      } catch (error) {
        await this.recordFailure(events, error, now);
      }
      return true;
    } finally {
      if (held !== null) {
        await runner.query(RELEASE_INBOX_KEY_LOCK, [ADVISORY_LOCK.WEBHOOK_INBOX_NAMESPACE, held]).catch(() => undefined);
      }
      await runner.release();
    }
  }

  /** The first due customer (or customer-less event) no other worker holds; its key stays locked. */
  private async claimKey(runner: QueryRunner, now: Date): Promise<string | null> {
    const rows: { key: string }[] = await runner.query(DUE_EVENT_KEYS, [now]);
    for (const key of new Set(rows.map((row) => row.key))) {
      const [{ locked }] = await runner.query(TRY_INBOX_KEY_LOCK, [ADVISORY_LOCK.WEBHOOK_INBOX_NAMESPACE, key]);
      if (locked) return key;
    }
    return null;
  }

  /** The key's open events, oldest first (compareEventAge). */
  private async openEvents(manager: EntityManager, key: string, now: Date): Promise<StripeEventEntity[]> {
    const byEvent = key.startsWith('event:');
    const events = await manager
      .getRepository(StripeEventEntity)
      .createQueryBuilder('e')
      .where(byEvent ? 'e.id = :key' : 'e.customer_id = :key', { key: byEvent ? key.slice('event:'.length) : key })
      .andWhere(`(e.status = 'pending' OR (e.status = 'failed' AND e.next_attempt_at <= :now))`, { now })
      .getMany();
    return events.sort(compareEventAge);
  }

  /**
   * Retries over WEBHOOK_RETRY_WINDOW with backoff, then dead; unowned customers are parked;
   * mismatches are dead at once. When Stripe has been unreachable for WEBHOOK_FALLBACK_AFTER
   * (timed from the first of the current run of STRIPE_UNAVAILABLE failures, failure_kind_since),
   * the emergency fallback applies the event's own subscription, and the events stay queued.
   */
  private async recordFailure(events: StripeEventEntity[], error: unknown, now: Date): Promise<void> {
    const kind = classifyFailure(error);
    const policy = this.config.values.webhooks;
    // The run is worked out once, here: RECORD_FAILURE stores it as decideRetry saw it.
    const decisions = new Map<string, RetryDecision & { failingSince: Date; kindSince: Date }>(
      events.map((event) => {
        const run = failureRun(event, kind, now);
        return [event.id, { ...decideRetry({ kind, ...run, attempts: event.attempts + 1, now }, policy), ...run }];
      }),
    );
    let message =
      error instanceof AppException ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if ([...decisions.values()].some((decision) => decision.tryFallback)) {
      message += `; ${await this.fallback(events)}`;
    }
    const stats = { dead: 0, unowned: 0, failed: 0 };
    for (const event of events) {
      const decision = decisions.get(event.id)!;
      stats[decision.status]++;
      await this.dataSource.query(RECORD_FAILURE, [
        event.id,
        message.slice(0, 2000),
        decision.status,
        decision.nextAttemptAt,
        decision.failingSince,
        kind,
        decision.kindSince,
        event.attempts,
      ]);
      this.metrics.webhookHandled([event], decision.status);
    }
    const log = { err: error, kind, events: events.map((event) => event.id), ...stats };
    if (stats.dead > 0) this.logger.error(log, 'webhook events dead-lettered');
    else if (stats.unowned > 0) this.logger.warn(log, 'webhook events parked: no business owns the Stripe customer');
    else this.logger.warn(log, kind === FailureKind.STRIPE_UNAVAILABLE ? 'Stripe unavailable; will retry' : 'webhook events failed; will retry');
  }

  /** Runs the emergency fallback; returns what to add to the events' last_error. */
  private async fallback(events: StripeEventEntity[]): Promise<string> {
    try {
      const outcome = await this.processor.applyFallback(events);
      if (!outcome.applied) return `emergency fallback not applied: ${outcome.reason}`;
      const refused = outcome.refused ? `; not applied: ${outcome.refused.join('; ')}` : '';
      if (!outcome.result) return `emergency fallback: stored state is newer; waiting for Stripe${refused}`;
      this.logger.warn({ events: events.map((e) => e.id), businessId: outcome.result.businessId }, 'emergency fallback applied');
      this.metrics.webhookHandled(events, 'fallback');
      return `emergency fallback applied (plan ${outcome.result.planKey}); waiting for Stripe to confirm${refused}`;
    } catch (error) {
      this.logger.error({ err: error }, 'emergency fallback failed');
      return `emergency fallback failed: ${(error as Error).message}`;
    }
  }
}
