import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { WebhookInboxService } from '../../src/webhooks/webhook-inbox.service.js';
import { WebhookWorkerService } from '../../src/webhooks/webhook-worker.service.js';
import { StripeEventEntity } from '../../src/webhooks/stripe-event.entity.js';
import { StripeEventProcessorService } from '../../src/webhooks/stripe-event-processor.service.js';
import { BillingDomainEvent } from '../../src/webhooks/stripe-event-routing.util.js';
import { signedEvent, signPayload } from '../factories/stripe-event.factory.js';
import {
  checkout,
  settle,
  SIM_WEBHOOK_SECRET,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

interface AccountRow {
  plan_key: string;
  subscription_status: string | null;
  stripe_customer_id: string | null;
  billing_sync_status: string;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  trial_status: string;
}

describe('webhooks -> sync from Stripe (simulator as Stripe, real PostgreSQL)', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    t = await startBillingApp(stripe, { env: { WEBHOOK_MAX_ATTEMPTS: '3' } });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const account = async (app: TestApp, businessId: string): Promise<AccountRow> =>
    (await app.dataSource.query('SELECT * FROM billing_accounts WHERE business_id = $1', [businessId]))[0];
  const logRowsPerEvent = async (app: TestApp, businessId: string) =>
    (await app.dataSource.query(
      `SELECT event_id, count(*)::int AS n FROM billing_sync_log WHERE business_id = $1 AND event_id IS NOT NULL GROUP BY event_id`,
      [businessId],
    )) as { event_id: string; n: number }[];

  it('links the customer at checkout and puts the account on the paid plan with the item period', async () => {
    const { session } = await checkout(stripe, 'biz_paid', stripe.prices.glow_up.monthly);
    await settle(stripe, [t]);
    const row = await account(t, 'biz_paid');
    const subscription = await stripe.stripe.subscriptions.retrieve(session.subscription as string);
    expect(row).toMatchObject({
      plan_key: 'glow_up',
      subscription_status: 'active',
      stripe_customer_id: session.customer,
      cancel_at_period_end: false,
    });
    expect(row.current_period_end?.getTime()).toBe(subscription.items.data[0].current_period_end * 1000);
    expect(row.billing_sync_status).toMatch(/^webhook_/);
    const [stored] = await t.dataSource.query('SELECT plan_key, status, price_id FROM subscriptions WHERE id = $1', [subscription.id]);
    expect(stored).toEqual({ plan_key: 'glow_up', status: 'active', price_id: stripe.prices.glow_up.monthly });
  });

  it('applies every event once although each is delivered three times', async () => {
    await stripe.control('/_sim/delivery', { enabled: true, duplicate: 2 });
    try {
      await checkout(stripe, 'biz_dup', stripe.prices.fame_flex.monthly);
      await settle(stripe, [t]);
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true, duplicate: 0 });
    }
    const row = await account(t, 'biz_dup');
    expect(row.plan_key).toBe('fame_flex');
    const events: { id: string }[] = await t.dataSource.query(
      `SELECT id FROM stripe_events WHERE customer_id = $1 AND status = 'processed'`,
      [row.stripe_customer_id],
    );
    expect(events.length).toBeGreaterThanOrEqual(3);
    const { data: deliveries } = (await stripe.control('/_sim/deliveries')) as {
      data: { eventId: string; outcome: string }[];
    };
    for (const event of events) {
      expect(deliveries.filter((d) => d.eventId === event.id && d.outcome === 'delivered')).toHaveLength(3);
    }
    const perEvent = await logRowsPerEvent(t, 'biz_dup');
    expect(perEvent.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(perEvent.every((r) => r.n === 1)).toBe(true);
  });

  it('retries an unknown price, dead-letters it, and succeeds on replay once the price is configured', async () => {
    const product = await stripe.stripe.products.create({ name: 'Unmapped' });
    const price = await stripe.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 12345,
      recurring: { interval: 'year' },
    });
    const { session } = await checkout(stripe, 'biz_unknown_price', price.id);
    await settle(stripe, [t]);

    const row = await account(t, 'biz_unknown_price');
    expect(row?.plan_key ?? 'free').toBe('free');
    const dead: { id: string; attempts: number; last_error: string }[] = await t.dataSource.query(
      `SELECT id, attempts, last_error FROM stripe_events WHERE status = 'dead' AND customer_id = $1`,
      [session.customer],
    );
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((e) => e.attempts === 3 && /not mapped to any plan/.test(e.last_error))).toBe(true);

    // The operator maps the price (a restart with the variable set), then replays the dead letters.
    const fixed = await startBillingApp(stripe, {
      databaseUrl: t.databaseUrl,
      listen: false,
      env: { STRIPE_VIRAL_SURGE_YEARLY_PRICE_ID: price.id },
    });
    try {
      for (const event of dead) await fixed.app.get(WebhookInboxService).replay(event.id);
      await settle(stripe, [fixed]);
      const repaired = await account(fixed, 'biz_unknown_price');
      expect(repaired.plan_key).toBe('viral_surge');
      const statuses: { status: string }[] = await fixed.dataSource.query(
        `SELECT id, type, status, last_error FROM stripe_events WHERE id = ANY($1)`,
        [dead.map((e) => e.id)],
      );
      expect(statuses.filter((s) => s.status !== 'processed')).toEqual([]);
    } finally {
      await fixed.close();
    }
  });

  it('moves a canceled subscription to the free plan even when its price is no longer mapped', async () => {
    await checkout(stripe, 'biz_retired', stripe.prices.glow_up.yearly);
    await settle(stripe, [t]);
    const subscriptionId = (await t.dataSource.query(
      `SELECT id FROM subscriptions WHERE business_id = 'biz_retired'`,
    ))[0].id as string;
    const databaseUrl = t.databaseUrl;
    await t.close({ keepDatabase: true });
    // The operator retired the old yearly price: it no longer maps to any plan.
    t = await startBillingApp(stripe, {
      databaseUrl,
      env: { WEBHOOK_MAX_ATTEMPTS: '3', STRIPE_GLOW_UP_YEARLY_PRICE_ID: 'price_new_glow_yearly' },
    });
    try {
      await stripe.stripe.subscriptions.cancel(subscriptionId);
      await settle(stripe, [t]);
      expect(await account(t, 'biz_retired')).toMatchObject({ plan_key: 'free', subscription_status: 'canceled' });
    } finally {
      await t.close({ keepDatabase: true });
      t = await startBillingApp(stripe, { databaseUrl, env: { WEBHOOK_MAX_ATTEMPTS: '3' } });
    }
  });

  it('processes each event once with two app instances on one database', async () => {
    const second = await startBillingApp(stripe, { databaseUrl: t.databaseUrl, listen: false });
    try {
      for (let i = 0; i < 4; i++) {
        await checkout(stripe, `biz_two_${i}`, i % 2 ? stripe.prices.glow_up.yearly : stripe.prices.viral_surge.monthly);
      }
      await settle(stripe, [t, second]);
      for (let i = 0; i < 4; i++) {
        const row = await account(second, `biz_two_${i}`);
        expect(row.plan_key).toBe(i % 2 ? 'glow_up' : 'viral_surge');
        const perEvent = await logRowsPerEvent(t, `biz_two_${i}`);
        expect(perEvent.length).toBeGreaterThan(0);
        expect(perEvent.every((r) => r.n === 1)).toBe(true);
      }
    } finally {
      await second.close();
    }
  });

  it('loses nothing and applies nothing twice when a worker dies mid-processing', async () => {
    // The victim stores events but its own worker stays off: the test plays its worker, with
    // the real processing code, and kills the session after every write and before the commit.
    const databaseUrl = t.databaseUrl;
    // No other worker may touch the inbox meanwhile.
    await t.close({ keepDatabase: true });
    const victim = await startBillingApp(stripe, {
      databaseUrl,
      listen: false,
      env: { WEBHOOK_WORKER_ENABLED: 'false' },
    });
    await stripe.control('/_sim/delivery', { enabled: false });
    try {
      const session = await stripe.stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: stripe.prices.glow_up.monthly, quantity: 1 }],
        client_reference_id: 'biz_crash',
        customer_email: 'crash@example.test',
        subscription_data: { metadata: { businessId: 'biz_crash' } },
        success_url: 'http://localhost/s',
        cancel_url: 'http://localhost/c',
      });
      await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, { outcome: 'paid' });
      const customerId = (await stripe.stripe.checkout.sessions.retrieve(session.id)).customer as string;
      const events = await stripe.stripe.events.list({ limit: 100 });
      const mine = events.data.filter((e) => JSON.stringify(e.data.object).includes(customerId));
      expect(mine.length).toBeGreaterThan(0);
      for (const event of mine) {
        const body = JSON.stringify(event);
        const res = await victim
          .http()
          .post('/api/webhooks/stripe')
          .set('content-type', 'application/json')
          .set('stripe-signature', signPayload(body, SIM_WEBHOOK_SECRET))
          .send(body);
        expect(res.status).toBe(200);
      }

      const runner = victim.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const claimed = await runner.manager
        .getRepository(StripeEventEntity)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .where('e.customer_id = :customerId', { customerId })
        .andWhere(`e.status = 'pending'`)
        .orderBy('e.stripe_created_at')
        .getMany();
      const applied = await victim.app.get(StripeEventProcessorService).process(runner.manager, claimed);
      expect(applied?.planKey).toBe('glow_up');
      // The crash: the session ends with the work done but not committed.
      await expect(runner.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toThrow();
      await runner.release().catch(() => undefined);
      await victim.close();

      t = await startBillingApp(stripe, { databaseUrl, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
      const after = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM billing_sync_log WHERE business_id = 'biz_crash') AS logs,
                (SELECT count(*)::int FROM stripe_events WHERE customer_id = $1 AND status = 'pending') AS pending`,
        [customerId],
      );
      expect(after).toEqual([{ logs: 0, pending: claimed.length }]);

      // A worker running again applies every event exactly once.
      await t.close({ keepDatabase: true });
      t = await startBillingApp(stripe, { databaseUrl, env: { WEBHOOK_MAX_ATTEMPTS: '3' } });
      await settle(stripe, [t]);
      expect((await account(t, 'biz_crash')).plan_key).toBe('glow_up');
      const perEvent = await logRowsPerEvent(t, 'biz_crash');
      expect(perEvent.map((r) => r.event_id).sort()).toEqual(claimed.map((e) => e.id).sort());
      expect(perEvent.every((r) => r.n === 1)).toBe(true);
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true });
    }
  });

  it('emits trial_will_end and payment_failed domain events for the host app', async () => {
    const seen: { name: string; businessId: string }[] = [];
    const emitter = t.app.get(EventEmitter2);
    emitter.on(BillingDomainEvent.TRIAL_WILL_END, (payload: { businessId: string }) =>
      seen.push({ name: 'trial_will_end', businessId: payload.businessId }),
    );
    emitter.on(BillingDomainEvent.PAYMENT_FAILED, (payload: { businessId: string }) =>
      seen.push({ name: 'payment_failed', businessId: payload.businessId }),
    );
    const { session } = await checkout(stripe, 'biz_trial', stripe.prices.glow_up.monthly, { trialDays: 7 });
    await settle(stripe, [t]);
    expect(await account(t, 'biz_trial')).toMatchObject({ plan_key: 'glow_up', subscription_status: 'trialing', trial_status: 'active' });

    await stripe.control(`/_sim/customers/${session.customer}/payment_behavior`, { behavior: 'fail' });
    await stripe.control('/_sim/clock/advance', { seconds: 5 * 86_400 });
    await settle(stripe, [t]);
    expect(seen).toContainEqual({ name: 'trial_will_end', businessId: 'biz_trial' });

    await stripe.control('/_sim/clock/advance', { seconds: 3 * 86_400 });
    await settle(stripe, [t]);
    expect(seen).toContainEqual({ name: 'payment_failed', businessId: 'biz_trial' });
    expect(await account(t, 'biz_trial')).toMatchObject({ subscription_status: 'past_due', trial_status: 'expired' });
  });
});

describe('emergency fallback (Stripe unreachable past the retry budget)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        STRIPE_SECRET_KEY: 'sk_test_unreachable',
        // Nothing listens there: every Stripe call fails to connect.
        STRIPE_API_BASE: 'http://127.0.0.1:9',
        STRIPE_WEBHOOK_SECRET: SIM_WEBHOOK_SECRET,
        STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_glow_fallback',
        STRIPE_FAME_FLEX_MONTHLY_PRICE_ID: 'price_fame_fallback',
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_RETRY_BASE_MS: '10',
        WEBHOOK_POLL_INTERVAL_MS: '60000',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const subscriptionObject = (price: string, status: string) => ({
    id: 'sub_fallback',
    object: 'subscription',
    customer: 'cus_fallback',
    status,
    created: 1_790_000_000,
    metadata: { businessId: 'biz_fallback' },
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
          id: 'si_1',
          object: 'subscription_item',
          current_period_start: 1_795_000_000,
          current_period_end: 1_797_592_000,
          price: { id: price, object: 'price', recurring: { interval: 'month' } },
        },
      ],
    },
  });

  const deliver = async (object: Record<string, unknown>, timestamp: number) => {
    const event = signedEvent({ secret: SIM_WEBHOOK_SECRET, type: 'customer.subscription.updated', object });
    const body = JSON.parse(event.body);
    body.created = timestamp;
    const raw = JSON.stringify(body);
    const signature = signPayload(raw, SIM_WEBHOOK_SECRET);
    const res = await t.http().post('/api/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signature).send(raw);
    expect(res.status).toBe(200);
    return event.id;
  };

  const drainUntilSettled = async () => {
    const worker = t.app.get(WebhookWorkerService);
    for (let i = 0; i < 50; i++) {
      await worker.drain();
      const [{ open }] = await t.dataSource.query(`SELECT count(*)::int AS open FROM stripe_events WHERE status IN ('pending', 'failed')`);
      if (open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('inbox did not settle');
  };

  it('applies a newer event object after the retries, marks the account, and skips an older one', async () => {
    const now = Math.floor(Date.now() / 1000);
    await deliver(subscriptionObject('price_fame_fallback', 'active'), now);
    await drainUntilSettled();
    const [row] = await t.dataSource.query(`SELECT plan_key, subscription_status, billing_sync_status FROM billing_accounts WHERE business_id = 'biz_fallback'`);
    expect(row).toEqual({ plan_key: 'fame_flex', subscription_status: 'active', billing_sync_status: 'webhook_emergency_fallback' });

    // An older event arriving late must not roll the account back.
    await deliver(subscriptionObject('price_glow_fallback', 'past_due'), now - 600);
    await drainUntilSettled();
    const [after] = await t.dataSource.query(`SELECT plan_key, subscription_status FROM billing_accounts WHERE business_id = 'biz_fallback'`);
    expect(after).toEqual({ plan_key: 'fame_flex', subscription_status: 'active' });
    const events: { status: string; last_error: string }[] = await t.dataSource.query(`SELECT status, last_error FROM stripe_events`);
    expect(events.every((e) => e.status === 'processed' && e.last_error.startsWith('emergency fallback'))).toBe(true);
  });
});
