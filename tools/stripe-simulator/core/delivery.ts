import type Stripe from 'stripe';
import { signatureHeader } from './signature.js';
import type { EventSink } from './events.js';

export interface DeliveryTarget {
  /** `we_...` id of the endpoint. */
  id: string;
  url: string;
  secret: string;
  enabledEvents: string[];
}

export interface ChaosOptions {
  /** false: events are recorded and listed but never sent (outcome `dropped`). */
  enabled: boolean;
  /** Extra copies of every delivery (0 = each event once per endpoint). */
  duplicate: number;
  /** Sends each batch of events (those produced by one request or clock step) in random order. */
  shuffle: boolean;
  /** Wait before the first attempt of each batch. */
  delayMs: number;
  /** The first attempt of every delivery is failed without reaching the endpoint, forcing a retry. */
  failFirstAttempt: boolean;
}

export const DEFAULT_CHAOS: ChaosOptions = { enabled: true, duplicate: 0, shuffle: false, delayMs: 0, failFirstAttempt: false };

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  endpointId: string;
  endpoint: string;
  attempt: number;
  /** 0 = copy sent normally; 1.. = chaos duplicates. */
  copy: number;
  /** HTTP status, or null when no answer (connection error, timeout, dropped, simulated failure). */
  status: number | null;
  outcome: 'delivered' | 'failed' | 'dropped' | 'simulated_failure';
  error?: string;
  at: string;
}

export interface DeliveryOptions {
  /** Delay before the first retry; doubles on each further retry. */
  retryBaseMs: number;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs: number;
  log: (msg: string) => void;
}

interface Job {
  /** Jobs from before a reset are abandoned rather than retried. */
  generation: number;
  event: Stripe.Event;
  target: DeliveryTarget;
  attempt: number;
  copy: number;
}

export function eventMatches(enabledEvents: string[], type: string): boolean {
  return enabledEvents.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Asynchronous, signed webhook delivery with Stripe-like retries. API responses never wait for it;
 * `idle()` lets tests wait until every delivery has succeeded or given up.
 */
export class WebhookDelivery implements EventSink {
  chaos: ChaosOptions = { ...DEFAULT_CHAOS };
  readonly attempts: DeliveryAttempt[] = [];
  private batch: Job[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly payloads = new WeakMap<Stripe.Event, string>();
  private readonly inFlight = new Set<AbortController>();
  private unsettled = 0;
  private waiters: Array<() => void> = [];
  private sendChain: Promise<void> = Promise.resolve();
  private closed = false;
  private generation = 0;

  constructor(
    private readonly targets: () => DeliveryTarget[],
    private readonly isLive: (endpointId: string) => boolean,
    private readonly options: DeliveryOptions,
  ) {}

  publish(event: Stripe.Event): number {
    const targets = this.targets().filter((t) => eventMatches(t.enabledEvents, event.type));
    for (const target of targets) {
      for (let copy = 0; copy <= this.chaos.duplicate; copy++) {
        this.unsettled++;
        this.batch.push({ generation: this.generation, event, target, attempt: 0, copy });
      }
    }
    if (targets.length > 0 && !this.batchTimer) {
      // Deferred so every event of the current request joins the batch (needed for shuffle) and the response goes first.
      this.batchTimer = setTimeout(() => this.flushBatch(), this.chaos.delayMs);
    }
    return targets.length;
  }

  private flushBatch(): void {
    this.batchTimer = null;
    const jobs = this.chaos.shuffle ? shuffled(this.batch) : this.batch;
    this.batch = [];
    for (const job of jobs) {
      if (!this.chaos.enabled) {
        this.record(job, null, 'dropped');
        this.settle(job);
        continue;
      }
      // First attempts go out one after another so that, without shuffle, endpoints see events in creation order.
      this.sendChain = this.sendChain.then(() => this.attempt(job));
    }
  }

  private payloadOf(event: Stripe.Event): string {
    let payload = this.payloads.get(event);
    if (payload === undefined) {
      payload = JSON.stringify(event, null, 2);
      this.payloads.set(event, payload);
    }
    return payload;
  }

  private async attempt(job: Job): Promise<void> {
    if (job.generation !== this.generation) return;
    if (this.closed || !this.isLive(job.target.id)) {
      this.settle(job);
      return;
    }
    job.attempt++;
    if (this.chaos.failFirstAttempt && job.attempt === 1) {
      this.record(job, null, 'simulated_failure', 'failFirstAttempt');
      this.retryOrGiveUp(job);
      return;
    }
    const payload = this.payloadOf(job.event);
    // Signed with real time, not the virtual clock: receivers check the timestamp against their own clock.
    const header = signatureHeader(payload, job.target.secret, Math.floor(Date.now() / 1000));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    this.inFlight.add(controller);
    try {
      const res = await fetch(job.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        redirect: 'manual',
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        this.record(job, res.status, 'delivered');
        this.settle(job);
      } else {
        this.record(job, res.status, 'failed');
        this.retryOrGiveUp(job);
      }
    } catch (err) {
      this.record(job, null, 'failed', err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
      this.retryOrGiveUp(job);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private retryOrGiveUp(job: Job): void {
    if (job.generation !== this.generation) return;
    if (this.closed || job.attempt >= this.options.maxAttempts) {
      if (!this.closed) this.options.log(`webhook ${job.event.type} ${job.event.id} to ${job.target.url}: giving up after ${job.attempt} attempts`);
      this.settle(job);
      return;
    }
    const delay = this.options.retryBaseMs * 2 ** (job.attempt - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(job);
    }, delay);
    this.timers.add(timer);
  }

  private record(job: Job, status: number | null, outcome: DeliveryAttempt['outcome'], error?: string): void {
    if (job.generation !== this.generation) return;
    this.attempts.push({
      eventId: job.event.id,
      type: job.event.type,
      endpointId: job.target.id,
      endpoint: job.target.url,
      attempt: job.attempt,
      copy: job.copy,
      status,
      outcome,
      ...(error ? { error } : {}),
      at: new Date().toISOString(),
    });
  }

  private settle(job: Job): void {
    if (job.generation !== this.generation) return;
    this.unsettled--;
    if (this.unsettled <= 0) this.wakeWaiters();
  }

  private wakeWaiters(): void {
    this.unsettled = 0;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once every queued delivery has succeeded, been dropped or exhausted its retries. */
  idle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forgets queued work and history (used by reset); deliveries already on the wire finish on their own. */
  reset(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.batch = [];
    this.attempts.length = 0;
    this.chaos = { ...DEFAULT_CHAOS };
    this.generation++;
    this.wakeWaiters();
  }

  close(): void {
    this.closed = true;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.generation++;
    this.wakeWaiters();
  }
}
