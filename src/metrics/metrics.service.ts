import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Clock } from '../clock/clock.js';
import { InboxHealthService } from './inbox-health.service.js';

export type WebhookOutcome = 'processed' | 'failed' | 'dead' | 'unowned' | 'fallback';

/**
 * Every Prometheus metric of the service, in one registry per application (not prom-client's
 * global one, so several apps in one process, as in tests, do not collide). Callers record
 * through the methods below and never touch prom-client themselves.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly webhookEvents = new Counter({
    name: 'billing_webhook_events_total',
    help: 'Webhook events handled by the worker, by Stripe event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly eventToEffect = new Histogram({
    name: 'billing_webhook_event_to_effect_seconds',
    help: 'Time from Stripe creating an event to its effect being committed here',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 86400],
    registers: [this.registry],
  });

  private readonly denials = new Counter({
    name: 'billing_plan_denials_total',
    help: 'Requests refused by a plan limit or feature, by metric (or feature:<key>) and plan',
    labelNames: ['metric', 'plan'] as const,
    registers: [this.registry],
  });

  private readonly reservations = new Counter({
    name: 'billing_plan_reservations_total',
    help: 'Units of a metric reserved against plan limits',
    labelNames: ['metric'] as const,
    registers: [this.registry],
  });

  private readonly trialsExpired = new Counter({
    name: 'billing_trials_expired_total',
    help: 'App-managed trials expired by the scheduled job',
    registers: [this.registry],
  });

  private readonly driftFound = new Counter({
    name: 'billing_reconcile_drift_found_total',
    help: 'Accounts found to differ from Stripe by reconciliation',
    registers: [this.registry],
  });

  private readonly driftFixed = new Counter({
    name: 'billing_reconcile_drift_fixed_total',
    help: 'Drifted accounts re-synced from Stripe by reconciliation',
    registers: [this.registry],
  });

  private readonly stripeLatency = new Histogram({
    name: 'billing_stripe_request_duration_seconds',
    help: 'Latency of Stripe API calls, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
    registers: [this.registry],
  });

  private readonly stripeErrors = new Counter({
    name: 'billing_stripe_request_errors_total',
    help: 'Failed Stripe API calls, by operation and our error code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly clock: Clock,
    private readonly inbox: InboxHealthService,
  ) {
    // Read at scrape time, so the numbers are the database's, shared by every instance.
    const read = () => this.inbox.read();
    new Gauge({
      name: 'billing_webhook_inbox_backlog',
      help: 'Webhook events pending or waiting for a retry',
      registers: [this.registry],
      async collect() {
        this.set((await read()).backlog);
      },
    });
    new Gauge({
      name: 'billing_webhook_inbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending or failed webhook event (0 when none)',
      registers: [this.registry],
      async collect() {
        this.set((await read()).oldestPendingAgeSeconds);
      },
    });
    new Gauge({
      name: 'billing_webhook_dead_letters',
      help: 'Dead webhook events; unowned="true" for Stripe customers no business owns',
      labelNames: ['unowned'] as const,
      registers: [this.registry],
      async collect() {
        const health = await read();
        this.set({ unowned: 'false' }, health.dead);
        this.set({ unowned: 'true' }, health.deadUnowned);
      },
    });
    new Gauge({
      name: 'billing_accounts_multiple_live_subscriptions',
      help: 'Accounts whose Stripe customer has more than one live subscription (the highest-ranked one decides the plan; the customer may be billed twice)',
      registers: [this.registry],
      async collect() {
        this.set((await read()).multipleLiveSubscriptions);
      },
    });
  }

  /** Node's process metrics (heap, event loop lag, GC...); only where /metrics is served. */
  enableDefaultMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  webhookHandled(events: { type: string; stripeCreatedAt: Date }[], outcome: WebhookOutcome): void {
    const now = this.clock.now().getTime();
    for (const event of events) {
      this.webhookEvents.inc({ type: event.type, outcome });
      if (outcome === 'processed' || outcome === 'fallback') {
        this.eventToEffect.observe(Math.max(0, (now - event.stripeCreatedAt.getTime()) / 1000));
      }
    }
  }

  planDenied(metric: string, plan: string): void {
    this.denials.inc({ metric, plan });
  }

  planReserved(metric: string, amount: number): void {
    this.reservations.inc({ metric }, amount);
  }

  trialExpired(count = 1): void {
    this.trialsExpired.inc(count);
  }

  driftDetected(count = 1): void {
    this.driftFound.inc(count);
  }

  driftRepaired(count = 1): void {
    this.driftFixed.inc(count);
  }

  /** Times one Stripe call; durations only, so a monotonic timer rather than the Clock. */
  async timeStripeCall<T>(operation: string, call: () => Promise<T>, errorCode: (error: unknown) => string): Promise<T> {
    const end = this.stripeLatency.startTimer({ operation });
    try {
      return await call();
    } catch (error) {
      this.stripeErrors.inc({ operation, code: errorCode(error) });
      throw error;
    } finally {
      end();
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
