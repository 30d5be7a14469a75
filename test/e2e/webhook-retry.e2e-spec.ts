import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AdminAccountsService } from '../../src/admin/admin-accounts.service.js';
import { AdminRepairService } from '../../src/admin/admin-repair.service.js';
import { BillingSyncService } from '../../src/billing/billing-sync.service.js';
import { BillingSyncStatus } from '../../src/billing/billing-sync-status.enum.js';
import { ManualClock } from '../../src/clock/clock.js';
import { DOMAIN_EVENT_LEASE_MS, DomainEventsRelayService } from '../../src/domain-events/domain-events-relay.service.js';
import { DomainEventsService } from '../../src/domain-events/domain-events.service.js';
import { InboxHealthService } from '../../src/metrics/inbox-health.service.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { WebhookInboxService } from '../../src/webhooks/webhook-inbox.service.js';
import { WebhookWorkerService } from '../../src/webhooks/webhook-worker.service.js';
import { FailureKind } from '../../src/webhooks/webhook-retry.util.js';
import { RECORD_FAILURE } from '../../src/webhooks/webhooks.sql.js';
import { signPayload } from '../factories/stripe-event.factory.js';
import {
  checkout,
  createAddOnPrice,
  SIM_WEBHOOK_SECRET,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { startStripeProxy, type StripeProxy } from '../utils/stripe-proxy.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface EventRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

const eventsOf = async (t: TestApp, customerId: string): Promise<EventRow[]> =>
  t.dataSource.query(`SELECT id, status, attempts, last_error FROM stripe_events WHERE customer_id = $1 AND status <> 'ignored' ORDER BY stripe_created_at, id`, [
    customerId,
  ]);
const accountOf = async (t: TestApp, businessId: string) =>
  (
    await t.dataSource.query(
      `SELECT plan_key, subscription_status, stripe_customer_id, billing_sync_status, live_subscription_count
       FROM billing_accounts WHERE business_id = $1`,
      [businessId],
    )
  )[0] as
    | { plan_key: string; subscription_status: string | null; stripe_customer_id: string | null; billing_sync_status: string; live_subscription_count: number }
    | undefined;

describe('Stripe unreachable: retry window and emergency fallback (app clock driven by the test)', () => {
  const clock = new ManualClock(new Date());
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      env: {
        STRIPE_SECRET_KEY: 'sk_test_unreachable',
        // Nothing listens there: every Stripe call fails to connect.
        STRIPE_API_BASE: 'http://127.0.0.1:9',
        STRIPE_WEBHOOK_SECRET: SIM_WEBHOOK_SECRET,
        STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_glow_fallback',
        STRIPE_FAME_FLEX_MONTHLY_PRICE_ID: 'price_fame_fallback',
        WEBHOOK_RETRY_BASE_MS: '10',
        WEBHOOK_POLL_INTERVAL_MS: '60000',
        WEBHOOK_WORKER_ENABLED: 'false',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const subscriptionObject = (id: string, customer: string, businessId: string, price: string, status: string) => ({
    id,
    object: 'subscription',
    customer,
    status,
    created: 1_790_000_000,
    metadata: { businessId },
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    trial_start: null,
    trial_end: null,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${id}`,
          object: 'subscription_item',
          current_period_start: 1_795_000_000,
          current_period_end: 1_797_592_000,
          price: { id: price, object: 'price', recurring: { interval: 'month' } },
        },
      ],
    },
  });

  let sequence = 0;
  const deliver = async (
    type: string,
    object: Record<string, unknown>,
    options: { created?: number; apiVersion?: string; id?: string } = {},
  ): Promise<string> => {
    const id = options.id ?? `evt_retry_${sequence++}_${Date.now()}`;
    const raw = JSON.stringify({
      id,
      object: 'event',
      api_version: options.apiVersion ?? '2026-10-28.endive',
      created: options.created ?? Math.floor(clock.now().getTime() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    });
    const res = await t
      .http()
      .post('/api/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signPayload(raw, SIM_WEBHOOK_SECRET))
      .send(raw);
    expect(res.status).toBe(200);
    return id;
  };
  const drain = () => t.app.get(WebhookWorkerService).drain();
  const eventRow = async (id: string): Promise<EventRow> =>
    (await t.dataSource.query(`SELECT id, status, attempts, last_error FROM stripe_events WHERE id = $1`, [id]))[0];

  it('waits WEBHOOK_FALLBACK_AFTER, then applies the event body and keeps the event queued; an older body never rolls back', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const newer = await deliver('customer.subscription.updated', subscriptionObject('sub_fb', 'cus_fb', 'biz_fb', 'price_fame_fallback', 'active'), {
      created: now,
    });
    await drain();
    expect(await eventRow(newer)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await eventRow(newer)).last_error).toMatch(/^STRIPE_UNAVAILABLE: /);
    // Five minutes of outage: not yet.
    clock.advance(5 * MINUTE);
    await drain();
    expect(await accountOf(t, 'biz_fb')).toBeUndefined();

    clock.advance(10 * MINUTE);
    await drain();
    expect(await accountOf(t, 'biz_fb')).toMatchObject({
      plan_key: 'fame_flex',
      subscription_status: 'active',
      billing_sync_status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK,
    });
    const afterFallback = await eventRow(newer);
    expect(afterFallback.status).toBe('failed');
    expect(afterFallback.last_error).toMatch(/emergency fallback applied \(plan fame_flex\); waiting for Stripe/);

    // An older event arriving late must not roll the account back.
    await deliver('customer.subscription.updated', subscriptionObject('sub_fb', 'cus_fb', 'biz_fb', 'price_glow_fallback', 'past_due'), {
      created: now - 600,
    });
    clock.advance(16 * MINUTE);
    await drain();
    expect(await accountOf(t, 'biz_fb')).toMatchObject({ plan_key: 'fame_flex', subscription_status: 'active' });
  });

  it('applies the later-received of two bodies Stripe created in the same second, whatever their ids', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    // Event ids are random: here the earlier update has the id that sorts last.
    const earlier = await deliver('customer.subscription.updated', subscriptionObject('sub_tie', 'cus_tie', 'biz_tie', 'price_fame_fallback', 'active'), {
      created: now,
      id: `evt_tie_z_${Date.now()}`,
    });
    const later = await deliver('customer.subscription.updated', subscriptionObject('sub_tie', 'cus_tie', 'biz_tie', 'price_glow_fallback', 'active'), {
      created: now,
      id: `evt_tie_a_${Date.now()}`,
    });
    expect(later < earlier).toBe(true);
    await drain();
    clock.advance(16 * MINUTE);
    await drain();
    expect(await accountOf(t, 'biz_tie')).toMatchObject({
      plan_key: 'glow_up',
      billing_sync_status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK,
    });
  });

  it('upserts only the event\'s own subscription in the fallback', async () => {
    await deliver('customer.subscription.updated', subscriptionObject('sub_own_a', 'cus_own', 'biz_own', 'price_glow_fallback', 'active'));
    await drain();
    clock.advance(16 * MINUTE);
    await drain();
    const [first] = await t.dataSource.query(`SELECT synced_at FROM subscriptions WHERE id = 'sub_own_a'`);
    expect(first).toBeDefined();

    clock.advance(MINUTE);
    await deliver('customer.subscription.created', subscriptionObject('sub_own_b', 'cus_own', 'biz_own', 'price_fame_fallback', 'active'));
    await drain();
    clock.advance(16 * MINUTE);
    await drain();
    const rows: { id: string; synced_at: Date }[] = await t.dataSource.query(
      `SELECT id, synced_at FROM subscriptions WHERE customer_id = 'cus_own' ORDER BY id`,
    );
    expect(rows.map((row) => row.id)).toEqual(['sub_own_a', 'sub_own_b']);
    // sub_own_a was not in the applied event: its row is exactly as its own event left it.
    expect(rows[0].synced_at).toEqual(first.synced_at);
    expect(rows[1].synced_at.getTime()).toBeGreaterThan(first.synced_at.getTime());
  });

  it('leaves a batch with no subscription object failed, then dead after the window, and replayable (never processed)', async () => {
    const invoice = { id: 'in_only', object: 'invoice', customer: 'cus_invoice_only', status: 'open' };
    const id = await deliver('invoice.payment_failed', invoice);
    await drain();
    clock.advance(20 * MINUTE);
    await drain();
    const afterFallback = await eventRow(id);
    expect(afterFallback.status).toBe('failed');
    expect(afterFallback.last_error).toMatch(/emergency fallback not applied: no event of the batch carries a subscription/);

    clock.advance(72 * HOUR);
    await drain();
    expect((await eventRow(id)).status).toBe('dead');
    const [{ outbox }] = await t.dataSource.query(`SELECT count(*)::int AS outbox FROM domain_events WHERE key = $1`, [id]);
    expect(outbox).toBe(0);

    await t.app.get(WebhookInboxService).replay(id);
    expect(await eventRow(id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
  });

  it("a failure the worker records after an operator's replay does not write over the replay's fresh window", async () => {
    const invoice = { id: 'in_replay_race', object: 'invoice', customer: 'cus_replay_race', status: 'open' };
    const id = await deliver('invoice.payment_failed', invoice);
    await drain();
    clock.advance(2 * HOUR);
    await drain();
    // What a worker read before the replay: the event with its attempts and its window's start.
    const read = await eventRow(id);
    expect(read.attempts).toBeGreaterThan(0);
    await t.app.get(WebhookInboxService).replay(id);
    // That worker's failure arrives now, with the window it computed from its read.
    const [, updated] = await t.dataSource.query(RECORD_FAILURE, [
      id, 'late failure', 'failed', clock.now(), new Date(clock.now().getTime() - 2 * HOUR), FailureKind.FAILURE, clock.now(), read.attempts,
    ]);
    expect(updated).toBe(0);
    const [row] = await t.dataSource.query('SELECT status, attempts, failing_since, last_error FROM stripe_events WHERE id = $1', [id]);
    expect(row).toEqual({ status: 'pending', attempts: 0, failing_since: null, last_error: null });
  });

  it('refuses to apply an event body of another api_version than the parser knows', async () => {
    const id = await deliver(
      'customer.subscription.updated',
      subscriptionObject('sub_old_api', 'cus_old_api', 'biz_old_api', 'price_fame_fallback', 'active'),
      { apiVersion: '2025-03-31.basil' },
    );
    await drain();
    clock.advance(20 * MINUTE);
    await drain();
    expect(await accountOf(t, 'biz_old_api')).toBeUndefined();
    const row = await eventRow(id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/api_version 2025-03-31\.basil, not 2026-10-28\.endive/);
  });

  it('never applies a superseded body: the newest event of a subscription decides, and is refused if of another api_version', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const older = await deliver(
      'customer.subscription.updated',
      subscriptionObject('sub_superseded', 'cus_superseded', 'biz_superseded', 'price_fame_fallback', 'active'),
      { created: now - 60 },
    );
    const newest = await deliver(
      'customer.subscription.updated',
      subscriptionObject('sub_superseded', 'cus_superseded', 'biz_superseded', 'price_glow_fallback', 'canceled'),
      { created: now, apiVersion: '2025-03-31.basil' },
    );
    await drain();
    clock.advance(20 * MINUTE);
    await drain();
    // The older body (fame_flex, active) is not what Stripe holds any more: nothing is applied.
    expect(await accountOf(t, 'biz_superseded')).toBeUndefined();
    for (const id of [older, newest]) {
      const row = await eventRow(id);
      expect(row.status).toBe('failed');
      expect(row.last_error).toMatch(/emergency fallback not applied: .*sub_superseded.*api_version 2025-03-31\.basil/);
    }
  });

  it('outbox: a rolled-back change emits nothing; a failing listener gets the event again later', async () => {
    const emitter = t.app.get(EventEmitter2);
    const relay = t.app.get(DomainEventsRelayService);
    const outbox = t.app.get(DomainEventsService);
    const received: string[] = [];
    let failNext = true;
    emitter.on('test.outbox_probe', (payload: { eventKey: string }) => {
      if (failNext) {
        failNext = false;
        throw new Error('mail server down');
      }
      received.push(payload.eventKey);
    });
    await t.dataSource
      .transaction(async (manager) => {
        await outbox.record(manager, { name: 'test.outbox_probe', businessId: 'biz_probe', key: 'rolled_back', payload: {} });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    await t.dataSource.transaction(async (manager) => {
      expect(await outbox.record(manager, { name: 'test.outbox_probe', businessId: 'biz_probe', key: 'k1', payload: {} })).toBe(true);
    });
    await t.dataSource.transaction(async (manager) => {
      // The same occurrence recorded again (a replay) is not stored twice.
      expect(await outbox.record(manager, { name: 'test.outbox_probe', businessId: 'biz_probe', key: 'k1', payload: {} })).toBe(false);
    });
    await relay.drain();
    expect(received).toEqual([]);
    clock.advance(MINUTE);
    await relay.drain();
    await relay.drain();
    expect(received).toEqual(['k1']);
  });
  it('outbox: emits with no outbox row locked, and never twice while a listener is still running', async () => {
    const emitter = t.app.get(EventEmitter2);
    const relay = t.app.get(DomainEventsRelayService);
    const received: string[] = [];
    const lockedWhileEmitting: boolean[] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const onSlow = async (payload: { eventKey: string }): Promise<void> => {
      received.push(payload.eventKey);
      // Another session tries the row: a relay that emits inside its claiming transaction holds it.
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`SELECT id FROM domain_events WHERE key = $1 FOR UPDATE NOWAIT`, [payload.eventKey]);
        lockedWhileEmitting.push(false);
      } catch {
        lockedWhileEmitting.push(true);
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      await slow; // the host app's email, still being sent
    };
    // The relay's emitAsync awaits the promise a listener returns.
    emitter.on('test.outbox_slow', onSlow as (payload: { eventKey: string }) => void);
    await t.dataSource.transaction((manager) =>
      t.app.get(DomainEventsService).record(manager, { name: 'test.outbox_slow', businessId: 'biz_slow', key: 'slow_1', payload: {} }),
    );
    const first = relay.drain();
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // The row is claimed (leased), not locked: another instance's relay skips it instead of emitting again.
    const other = await createTestApp({ databaseUrl: t.databaseUrl, clock, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
    try {
      await other.app.get(DomainEventsRelayService).drain();
      const [claimed] = await t.dataSource.query(`SELECT dispatched_at FROM domain_events WHERE key = 'slow_1'`);
      expect(claimed.dispatched_at).toBeNull();
    } finally {
      await other.close();
    }
    release();
    await first;
    await relay.drain();
    expect(received).toEqual(['slow_1']);
    expect(lockedWhileEmitting).toEqual([false]);
    const [row] = await t.dataSource.query(`SELECT attempts, dispatched_at FROM domain_events WHERE key = 'slow_1'`);
    expect(row.attempts).toBe(1);
    expect(row.dispatched_at).toBeInstanceOf(Date);
  });

  it('outbox: each row of a batch gets a fresh lease when its emission starts, so slow listeners before it do not let another relay emit it too', async () => {
    const relay = t.app.get(DomainEventsRelayService);
    const received: string[] = [];
    const gates = new Map<string, () => void>();
    const onBatch = async (payload: { eventKey: string }): Promise<void> => {
      received.push(payload.eventKey);
      await new Promise<void>((resolve) => gates.set(payload.eventKey, resolve)); // an SMTP round trip
    };
    t.app.get(EventEmitter2).on('test.outbox_batch', onBatch as (payload: { eventKey: string }) => void);
    await t.dataSource.transaction(async (manager) => {
      for (const key of ['batch_1', 'batch_2']) {
        await t.app.get(DomainEventsService).record(manager, { name: 'test.outbox_batch', businessId: 'biz_batch', key, payload: {} });
      }
    });
    const until = async (key: string): Promise<void> => {
      while (!gates.has(key)) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const first = relay.drain();
    await until('batch_1');
    // batch_1's listener takes most of the lease the claim gave both rows.
    clock.advance(DOMAIN_EVENT_LEASE_MS - MINUTE);
    gates.get('batch_1')!();
    await until('batch_2');
    // Past the claim's lease, inside the one batch_2 got when its emission started.
    clock.advance(2 * MINUTE);
    const other = await createTestApp({ databaseUrl: t.databaseUrl, clock, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
    const receivedByOther: string[] = [];
    try {
      other.app.get(EventEmitter2).on('test.outbox_batch', (payload: { eventKey: string }) => receivedByOther.push(payload.eventKey));
      await other.app.get(DomainEventsRelayService).drain();
    } finally {
      await other.close();
    }
    gates.get('batch_2')!();
    await first;
    expect(receivedByOther).toEqual([]);
    expect(received).toEqual(['batch_1', 'batch_2']);
    const rows: { attempts: number; dispatched: boolean }[] = await t.dataSource.query(
      `SELECT attempts, dispatched_at IS NOT NULL AS dispatched FROM domain_events WHERE name = 'test.outbox_batch' ORDER BY id`,
    );
    expect(rows).toEqual([
      { attempts: 1, dispatched: true },
      { attempts: 1, dispatched: true },
    ]);
  });

  it('outbox: a relay whose rows were taken over after their lease ended neither emits them again nor touches the new holder\'s marks', async () => {
    const relay = t.app.get(DomainEventsRelayService);
    const received: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const onTakeover = async (payload: { eventKey: string }): Promise<void> => {
      received.push(payload.eventKey);
      if (payload.eventKey !== 'takeover_1') return;
      await gate; // an email that outlives the lease
      throw new Error('SMTP timeout');
    };
    t.app.get(EventEmitter2).on('test.outbox_takeover', onTakeover as (payload: { eventKey: string }) => void);
    // One transaction: both rows are in the same claim, takeover_2 waiting behind takeover_1.
    await t.dataSource.transaction(async (manager) => {
      for (const key of ['takeover_1', 'takeover_2']) {
        await t.app.get(DomainEventsService).record(manager, { name: 'test.outbox_takeover', businessId: 'biz_takeover', key, payload: {} });
      }
    });
    const first = relay.drain();
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    // Past the lease, another instance claims both rows and delivers them.
    clock.advance(DOMAIN_EVENT_LEASE_MS + MINUTE);
    const takenAt = clock.now();
    const other = await createTestApp({ databaseUrl: t.databaseUrl, clock, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
    const receivedByOther: string[] = [];
    try {
      other.app.get(EventEmitter2).on('test.outbox_takeover', (payload: { eventKey: string }) => receivedByOther.push(payload.eventKey));
      await other.app.get(DomainEventsRelayService).drain();
    } finally {
      await other.close();
    }
    expect(receivedByOther).toEqual(['takeover_1', 'takeover_2']);

    clock.advance(MINUTE);
    release();
    await first;
    await relay.drain();
    // The first relay's listener failed after the takeover: its failure is not recorded over the
    // other's mark, and the row behind it, no longer its own, is not emitted a second time.
    expect(received).toEqual(['takeover_1']);
    const rows: { key: string; attempts: number; last_error: string | null; dispatched_at: Date }[] = await t.dataSource.query(
      `SELECT key, attempts, last_error, dispatched_at FROM domain_events WHERE name = 'test.outbox_takeover' ORDER BY id`,
    );
    expect(rows).toEqual([
      { key: 'takeover_1', attempts: 1, last_error: null, dispatched_at: takenAt },
      { key: 'takeover_2', attempts: 1, last_error: null, dispatched_at: takenAt },
    ]);
  });
});

describe('sync under failure, linking and retry horizon (simulator behind a proxy, app clock driven by the test)', () => {
  // The test drains the inbox itself, after moving the clock: no worker of the app's own runs.
  const appEnv = () => ({ STRIPE_API_BASE: proxy.url, WEBHOOK_WORKER_ENABLED: 'false' });
  const clock = new ManualClock(new Date());
  let stripe: SimulatedStripe;
  let proxy: StripeProxy;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    proxy = await startStripeProxy(stripe.sim.url);
    t = await startBillingApp(stripe, { clock, env: appEnv() });
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
    await stripe.close();
  });

  const drain = () => t.app.get(WebhookWorkerService).drain();
  /** App and "Stripe" agree on the time: both clocks move together. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await stripe.control('/_sim/clock/advance', { seconds: ms / 1000 });
  };
  /** Lets the simulator deliver, then the worker run, without waiting for retries (the test moves the clock). */
  const deliverAndDrain = async () => {
    await stripe.sim.idle();
    await drain();
  };
  const sessionWithoutOurMetadata = async (priceId: string, clientReferenceId?: string) => {
    const session = await stripe.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: priceId, quantity: 1 }],
      ...(clientReferenceId ? { client_reference_id: clientReferenceId } : {}),
      customer_email: `stranger-${Date.now()}@example.test`,
      success_url: 'http://localhost/s',
      cancel_url: 'http://localhost/c',
    });
    const completed = (await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, { outcome: 'paid' })) as {
      simulator: { customer: string; subscription: string };
    };
    return completed.simulator;
  };

  it('keeps retrying a failure for hours, then heals when the price is mapped an hour later', async () => {
    const product = await stripe.stripe.products.create({ name: 'Mapped later' });
    const price = await stripe.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 4242, recurring: { interval: 'year' } });
    const { customerId } = await checkout(stripe, 'biz_heal_later', price.id);
    await deliverAndDrain();
    // Twelve retries over two hours: the old 8-attempt budget would have dead-lettered it.
    for (let i = 0; i < 12; i++) {
      await advance(10 * MINUTE);
      await drain();
    }
    const failing = await eventsOf(t, customerId);
        expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((event) => event.status === 'failed' && event.attempts >= 12)).toBe(true);
    expect(failing[0].last_error).toMatch(/not mapped to any plan/);

    // The operator maps the price (a restart with the variable set); the next retry applies it.
    const databaseUrl = t.databaseUrl;
    await t.close({ keepDatabase: true });
    t = await startBillingApp(stripe, {
      clock,
      databaseUrl,
      env: { ...appEnv(), STRIPE_VIRAL_SURGE_YEARLY_PRICE_ID: price.id },
    });
    await advance(HOUR);
    await drain();
    expect(await accountOf(t, 'biz_heal_later')).toMatchObject({ plan_key: 'viral_surge', subscription_status: 'active' });
    expect((await eventsOf(t, customerId)).every((event) => event.status === 'processed')).toBe(true);
    await t.close({ keepDatabase: true });
    t = await startBillingApp(stripe, { clock, databaseUrl, env: appEnv() });
  });

  it('times the fallback from when Stripe became unavailable, not from an earlier failure of another kind', async () => {
    const product = await stripe.stripe.products.create({ name: 'Unmapped, then an outage' });
    const price = await stripe.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1234, recurring: { interval: 'month' } });
    const { customerId } = await checkout(stripe, 'biz_kind_since', price.id);
    await deliverAndDrain();
    await advance(20 * MINUTE);
    await drain();
    const unmapped = await eventsOf(t, customerId);
    expect(unmapped.length).toBeGreaterThan(0);
    expect(unmapped.every((event) => /not mapped to any plan/.test(event.last_error ?? ''))).toBe(true);

    proxy.down = true;
    try {
      // The first STRIPE_UNAVAILABLE, 21 minutes after the first failure: no fallback yet.
      await advance(MINUTE);
      await drain();
      const first = await eventsOf(t, customerId);
      expect(first.every((event) => /^STRIPE_UNAVAILABLE: /.test(event.last_error ?? ''))).toBe(true);
      expect(first.some((event) => /emergency fallback/.test(event.last_error ?? ''))).toBe(false);
      // Fifteen minutes of outage: now it is tried.
      await advance(15 * MINUTE);
      await drain();
      expect((await eventsOf(t, customerId)).some((event) => /emergency fallback/.test(event.last_error ?? ''))).toBe(true);
    } finally {
      proxy.down = false;
    }
  });

  it('falls back while Stripe is down and lets the real sync overwrite it once Stripe answers', async () => {
    const { customerId, subscriptionId } = await checkout(stripe, 'biz_outage', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    expect(await accountOf(t, 'biz_outage')).toMatchObject({ plan_key: 'glow_up' });

    proxy.down = true;
    try {
      const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
      await stripe.stripe.subscriptions.update(subscriptionId!, {
        items: [{ id: subscription.items.data[0].id, price: stripe.prices.fame_flex.monthly }],
      });
      await deliverAndDrain();
      expect(await accountOf(t, 'biz_outage')).toMatchObject({ plan_key: 'glow_up' });
      await advance(16 * MINUTE);
      await drain();
      expect(await accountOf(t, 'biz_outage')).toMatchObject({
        plan_key: 'fame_flex',
        billing_sync_status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK,
      });
      expect((await eventsOf(t, customerId)).filter((event) => event.status === 'failed').length).toBeGreaterThan(0);
    } finally {
      proxy.down = false;
    }
    await advance(HOUR);
    await drain();
    const healed = await accountOf(t, 'biz_outage');
    expect(healed?.plan_key).toBe('fame_flex');
    expect(healed?.billing_sync_status).not.toBe(BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK);
    expect((await eventsOf(t, customerId)).every((event) => event.status === 'processed')).toBe(true);
  });

  it('parks the events of a customer no business owns as unowned, listed apart and replayable', async () => {
    const { customer } = await sessionWithoutOurMetadata(stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    const first = await eventsOf(t, customer);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((event) => event.status === 'failed' && /^UNKNOWN_CUSTOMER: /.test(event.last_error ?? ''))).toBe(true);
    await advance(HOUR);
    await drain();
    const parked = await eventsOf(t, customer);
    expect(parked.every((event) => event.status === 'unowned')).toBe(true);
    expect((await t.app.get(WebhookInboxService).stats()).unowned).toBeGreaterThanOrEqual(parked.length);

    // Waiting for a human, apart from the owned dead letters: a bulk replay of those leaves them.
    const health = await t.app.get(InboxHealthService).read();
    expect(health.deadUnowned).toBeGreaterThanOrEqual(parked.length);
    const repair = t.app.get(AdminRepairService);
    const owned = await repair.replayDeadLetters({ sub: 'admin_e2e' }, { businessId: null, unowned: false }, 'owned only');
    expect(owned.eventIds.filter((id) => parked.some((event) => event.id === id))).toEqual([]);

    // The runbook: tie the customer to a business in Stripe, then replay the unowned ones.
    await stripe.stripe.customers.update(customer, { metadata: { businessId: 'biz_adopted' } });
    const replayed = await repair.replayDeadLetters({ sub: 'admin_e2e' }, { businessId: null, unowned: true }, 'customer tied to biz_adopted');
    expect(replayed.eventIds.sort()).toEqual(expect.arrayContaining(parked.map((event) => event.id).sort()));
    await drain();
    expect((await eventsOf(t, customer)).every((event) => event.status === 'processed')).toBe(true);
    expect(await accountOf(t, 'biz_adopted')).toMatchObject({ stripe_customer_id: customer, plan_key: 'glow_up' });
    expect((await t.app.get(InboxHealthService).read()).deadUnowned).toBe(health.deadUnowned - parked.length);
  });

  it('never lets a Payment Link buyer attach a payment to, or block the upgrade of, another business', async () => {
    // A stranger buys through a Payment Link with the victim's id in client_reference_id.
    const stranger = await sessionWithoutOurMetadata(stripe.prices.fame_flex.monthly, 'biz_victim');
    await deliverAndDrain();
    expect(await accountOf(t, 'biz_victim')).toBeUndefined();
    const strangerEvents = await eventsOf(t, stranger.customer);
    expect(strangerEvents.every((event) => event.status === 'failed')).toBe(true);
    expect(strangerEvents[0].last_error).toMatch(/client_reference_id biz_victim is not trusted/);

    // The victim's own checkout still links and upgrades.
    const own = await checkout(stripe, 'biz_victim', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    expect(await accountOf(t, 'biz_victim')).toMatchObject({ plan_key: 'glow_up', stripe_customer_id: own.customerId });
  });

  it('dead-letters a CUSTOMER_MISMATCH at once, with a clear reason', async () => {
    const first = await checkout(stripe, 'biz_mismatch', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    expect(await accountOf(t, 'biz_mismatch')).toMatchObject({ stripe_customer_id: first.customerId });
    // Our checkout opened for the same business again, with a new customer.
    const second = await checkout(stripe, 'biz_mismatch', stripe.prices.fame_flex.monthly, { email: 'other@example.test' });
    await deliverAndDrain();
    const dead = await eventsOf(t, second.customerId);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((event) => event.status === 'dead' && event.attempts === 1)).toBe(true);
    expect(dead[0].last_error).toContain(`CUSTOMER_MISMATCH: Business biz_mismatch is linked to Stripe customer ${first.customerId}, not ${second.customerId}`);
    expect(await accountOf(t, 'biz_mismatch')).toMatchObject({ plan_key: 'glow_up', stripe_customer_id: first.customerId });
  });

  it('reads price and period from the catalog item when the subscription carries an add-on', async () => {
    const addOn = await createAddOnPrice(stripe);
    const { subscriptionId } = await checkout(stripe, 'biz_addon', stripe.prices.glow_up.monthly, {
      itemsBefore: [{ price: addOn, quantity: 2 }],
      email: 'addon@example.test',
    });
    await deliverAndDrain();
    const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
    expect(subscription.items.data.map((item) => item.price.id)).toEqual([addOn, stripe.prices.glow_up.monthly]);
    expect(await accountOf(t, 'biz_addon')).toMatchObject({ plan_key: 'glow_up', subscription_status: 'active' });
    const [stored] = await t.dataSource.query(`SELECT price_id, plan_key, current_period_end FROM subscriptions WHERE id = $1`, [subscription.id]);
    expect(stored).toEqual({
      price_id: stripe.prices.glow_up.monthly,
      plan_key: 'glow_up',
      current_period_end: new Date(subscription.items.data[1].current_period_end * 1000),
    });
  });

  it('records two live subscriptions of one customer and keeps picking by rank', async () => {
    const first = await checkout(stripe, 'biz_twice', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    const again = await stripe.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: first.customerId,
      line_items: [{ price: stripe.prices.fame_flex.monthly, quantity: 1 }],
      metadata: { businessId: 'biz_twice' },
      subscription_data: { metadata: { businessId: 'biz_twice' } },
      success_url: 'http://localhost/s',
      cancel_url: 'http://localhost/c',
    });
    const completed = (await stripe.control(`/_sim/checkout_sessions/${again.id}/complete`, { outcome: 'paid' })) as {
      simulator: { subscription: string };
    };
    await deliverAndDrain();
    // Both active: the newer one decides, as before, but it is now visible.
    expect(await accountOf(t, 'biz_twice')).toMatchObject({ plan_key: 'fame_flex', live_subscription_count: 2 });
    const live = [first.subscriptionId, completed.simulator.subscription].sort();
    const [log] = await t.dataSource.query(
      `SELECT detail FROM billing_sync_log WHERE business_id = 'biz_twice' ORDER BY id DESC LIMIT 1`,
    );
    expect(log.detail.multipleLiveSubscriptions).toEqual(live);
    const outbox: { name: string; payload: { subscriptionIds: string[] } }[] = await t.dataSource.query(
      `SELECT name, payload FROM domain_events WHERE business_id = 'biz_twice' AND name = 'billing.multiple_live_subscriptions'`,
    );
    expect(outbox).toHaveLength(1);
    expect(outbox[0].payload.subscriptionIds).toEqual(live);
    // Seen by an admin, a metric and /health/billing, not only in the log.
    const view = await t.app.get(AdminAccountsService).view({ businessId: 'biz_twice' });
    expect(view.liveSubscriptionCount).toBe(2);
    expect(view.warnings.map((w) => w.code)).toEqual(['MULTIPLE_LIVE_SUBSCRIPTIONS']);
    expect(await t.app.get(MetricsService).registry.metrics()).toMatch(/^billing_accounts_multiple_live_subscriptions 1$/m);
    expect((await t.http().get('/health/billing')).body.reasons).toContain(
      '1 account(s) with several live Stripe subscriptions (may be billed twice)',
    );
  });

  it('holds no inbox or account row while it calls Stripe', async () => {
    const { customerId, subscriptionId } = await checkout(stripe, 'biz_nolock', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    const probes: { inbox: boolean; account: boolean }[] = [];
    const probe = async (sql: string, params: unknown[]) => {
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(sql, params);
        return true;
      } catch {
        return false;
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    };
    proxy.onResponse = async (request) => {
      if (!request.path.startsWith('/v1/subscriptions?') || !request.path.includes(customerId)) return;
      probes.push({
        inbox: await probe(`SELECT id FROM stripe_events WHERE customer_id = $1 FOR UPDATE NOWAIT`, [customerId]),
        account: await probe(`SELECT business_id FROM billing_accounts WHERE business_id = 'biz_nolock' FOR UPDATE NOWAIT`, []),
      });
    };
    try {
      await stripe.stripe.subscriptions.update(subscriptionId!, { cancel_at_period_end: true });
      await deliverAndDrain();
    } finally {
      proxy.onResponse = undefined;
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => p.inbox && p.account)).toBe(true);
    expect(await accountOf(t, 'biz_nolock')).toMatchObject({ plan_key: 'glow_up' });
  });

  it('reads Stripe again when a newer sync committed while it was reading', async () => {
    const { customerId, subscriptionId } = await checkout(stripe, 'biz_race', stripe.prices.glow_up.monthly);
    await deliverAndDrain();
    await stripe.control('/_sim/delivery', { enabled: false });
    const sync = t.app.get(BillingSyncService);
    const context = { status: BillingSyncStatus.MANUAL_SYNC, source: 'manual' as const };
    let raced = false;
    let lists = 0;
    proxy.onResponse = async (request) => {
      if (!request.path.startsWith('/v1/subscriptions?') || !request.path.includes(customerId)) return;
      lists++;
      if (raced) return;
      raced = true;
      // This sync's answer (glow_up) is on its way; meanwhile Stripe changes and a newer sync commits.
      const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
      await stripe.stripe.subscriptions.update(subscriptionId!, {
        items: [{ id: subscription.items.data[0].id, price: stripe.prices.fame_flex.monthly }],
      });
      expect((await sync.syncFromStripe(customerId, context)).planKey).toBe('fame_flex');
    };
    try {
      const settings: string[] = [];
      const result = await sync.syncFromStripe(customerId, {
        ...context,
        afterApply: async (manager) => {
          const [row] = await manager.query(
            `SELECT current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle`,
          );
          settings.push(row.lock, row.idle);
        },
      });
      // Without the re-read it would have written the stale glow_up over the newer sync.
      expect(result.planKey).toBe('fame_flex');
      expect(lists).toBe(3);
      expect(settings).toEqual(['5s', '30s']);
    } finally {
      proxy.onResponse = undefined;
      await stripe.control('/_sim/delivery', { enabled: true });
    }
    expect(await accountOf(t, 'biz_race')).toMatchObject({ plan_key: 'fame_flex' });
  });
});

