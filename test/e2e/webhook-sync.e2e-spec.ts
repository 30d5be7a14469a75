import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { WebhookInboxService } from '../../src/webhooks/webhook-inbox.service.js';
import { StripeEventEntity } from '../../src/webhooks/stripe-event.entity.js';
import { StripeEventProcessorService } from '../../src/webhooks/stripe-event-processor.service.js';
import { BillingDomainEvent } from '../../src/webhooks/stripe-event-routing.util.js';
import { signPayload } from '../factories/stripe-event.factory.js';
import {
  checkout,
  settle,
  SIM_WEBHOOK_SECRET,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';

// Real time drives this suite: failures are retried for 3 s, unknown customers parked after 2 s.
const SHORT_WINDOWS = { WEBHOOK_RETRY_WINDOW: '3s', WEBHOOK_UNOWNED_AFTER: '2s' };

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
    t = await startBillingApp(stripe, { env: SHORT_WINDOWS });
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

  it('retries an unknown price over the window, dead-letters it, and succeeds on replay once the price is configured', async () => {
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
    expect(dead.every((e) => e.attempts > 1 && /not mapped to any plan/.test(e.last_error))).toBe(true);

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
      env: { ...SHORT_WINDOWS, STRIPE_GLOW_UP_YEARLY_PRICE_ID: 'price_new_glow_yearly' },
    });
    try {
      await stripe.stripe.subscriptions.cancel(subscriptionId);
      await settle(stripe, [t]);
      expect(await account(t, 'biz_retired')).toMatchObject({ plan_key: 'free', subscription_status: 'canceled' });
    } finally {
      await t.close({ keepDatabase: true });
      t = await startBillingApp(stripe, { databaseUrl, env: SHORT_WINDOWS });
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

      const claimed = await victim.dataSource.getRepository(StripeEventEntity).find({
        where: { customerId, status: 'pending' },
        order: { stripeCreatedAt: 'ASC' },
      });
      // The crash: the victim has read Stripe and written the account, subscriptions, history and
      // outbox rows, and is about to mark the inbox rows when its session dies (the test holds
      // those rows so the victim stops exactly there, then kills it).
      const blocker = victim.dataSource.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      await blocker.query(`SELECT id FROM stripe_events WHERE customer_id = $1 FOR UPDATE`, [customerId]);
      const processing = victim.app.get(StripeEventProcessorService).process(claimed);
      const outcome = processing.then(
        () => 'committed',
        () => 'died',
      );
      let killed = false;
      let writtenBeforeKill = -1;
      for (let i = 0; i < 200 && !killed; i++) {
        // pg_stat_activity is a snapshot per transaction: take a fresh one each time.
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const [waiting] = await blocker.query(
          `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE stripe_events%'`,
        );
        if (waiting) {
          [{ written: writtenBeforeKill }] = await blocker.query(
            `SELECT count(*)::int AS written FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE l.pid = $1 AND c.relname = 'billing_sync_log' AND l.mode = 'RowExclusiveLock'`,
            [waiting.pid],
          );
          await blocker.query('SELECT pg_terminate_backend($1)', [waiting.pid]);
          killed = true;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      expect(killed).toBe(true);
      // It had written its history rows: the crash came after the writes, before the commit.
      expect(writtenBeforeKill).toBe(1);
      expect(await outcome).toBe('died');
      await blocker.rollbackTransaction();
      await blocker.release();
      await victim.close();

      t = await startBillingApp(stripe, { databaseUrl, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
      const after = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM billing_sync_log WHERE business_id = 'biz_crash') AS logs,
                (SELECT count(*)::int FROM billing_accounts WHERE business_id = 'biz_crash') AS accounts,
                (SELECT count(*)::int FROM stripe_events WHERE customer_id = $1 AND status = 'pending') AS pending`,
        [customerId],
      );
      expect(after).toEqual([{ logs: 0, accounts: 0, pending: claimed.length }]);

      // A worker running again applies every event exactly once.
      await t.close({ keepDatabase: true });
      t = await startBillingApp(stripe, { databaseUrl, env: SHORT_WINDOWS });
      await settle(stripe, [t]);
      expect((await account(t, 'biz_crash')).plan_key).toBe('glow_up');
      const perEvent = await logRowsPerEvent(t, 'biz_crash');
      expect(perEvent.map((r) => r.event_id).sort()).toEqual(claimed.map((e) => e.id).sort());
      expect(perEvent.every((r) => r.n === 1)).toBe(true);
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true });
    }
  });

  it('emits trial_will_end and payment_failed domain events for the host app, once whatever the replays', async () => {
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

    // An operator replays every event of the customer: the host app must not send the emails again.
    const before = [...seen];
    const events: { id: string }[] = await t.dataSource.query(`SELECT id FROM stripe_events WHERE customer_id = $1 AND status = 'processed'`, [
      session.customer,
    ]);
    for (const event of events) await t.app.get(WebhookInboxService).replay(event.id);
    await settle(stripe, [t]);
    const [{ reprocessed }] = await t.dataSource.query(
      `SELECT count(*)::int AS reprocessed FROM stripe_events WHERE id = ANY($1) AND status = 'processed' AND attempts = 1`,
      [events.map((event) => event.id)],
    );
    expect(reprocessed).toBe(events.length);
    expect(seen).toEqual(before);
  });
});
