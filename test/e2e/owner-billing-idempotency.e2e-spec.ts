import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { ManualClock } from '../../src/clock/clock.js';
import { startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { createTestApp, errorCode, type TestApp } from '../utils/create-test-app.js';
import { startStripeProxy, type StripeProxy } from '../utils/stripe-proxy.js';
import {
  advanceClocks,
  billingOf,
  CHANGE_PLAN,
  CHECKOUT,
  ok,
  ownerToken,
  startClockedBillingApp,
  subscribe,
  type BillingView,
} from '../utils/owner-billing-helpers.js';

describe('Idempotency-Key lifetime: the first answer for 24 hours, a new request after', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let clock: ManualClock;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    ({ t, clock } = await startClockedBillingApp(stripe));
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const advanceHours = (hours: number) => advanceClocks(stripe, clock, hours * 3600);
  const checkout = async (key: string) => {
    const res = await ok(
      t.gql<{ createCheckoutSession: { id: string; url: string } }>(
        CHECKOUT,
        { plan: 'glow_up', interval: 'MONTHLY' },
        await ownerToken(t, 'biz_ttl'),
        { 'idempotency-key': key },
      ),
    );
    return res.createCheckoutSession;
  };
  const sessions = async () => {
    const [{ stripe_customer_id: customer }] = await t.dataSource.query(
      'SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1',
      ['biz_ttl'],
    );
    return (await stripe.stripe.checkout.sessions.list({ customer, limit: 100 })).data;
  };

  it('replays within 24 hours, then runs the request again (and still leaves one open session)', async () => {
    const first = await checkout('ttl-key');
    advanceHours(23);
    expect(await checkout('ttl-key')).toEqual(first);
    expect(await sessions()).toHaveLength(1);

    advanceHours(2);
    const later = await checkout('ttl-key');
    expect(later.id).not.toBe(first.id);
    const all = await sessions();
    expect(all.filter((s) => s.status === 'open').map((s) => s.id)).toEqual([later.id]);
    expect(all.find((s) => s.id === first.id)?.status).toBe('expired');
  });

  it('runs a request refused by Stripe again under the same key once the cause is fixed (no replay of Stripe\'s 402)', async () => {
    const start = await subscribe(t, stripe, 'biz_retry_key', 'glow_up');
    const customer = (await stripe.stripe.subscriptions.retrieve(start.subscription!.id)).customer as string;
    const change = async () =>
      t.gql<{ changePlan: BillingView }>(CHANGE_PLAN, { plan: 'viral_surge', interval: 'MONTHLY' }, await ownerToken(t, 'biz_retry_key'), {
        'idempotency-key': 'upgrade-1',
      });
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'fail' });
    expect(errorCode(await change())).toBe('PAYMENT_DECLINED');
    // The owner fixes the card and presses the same button again (same key).
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'succeed' });
    const retried = await change();
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.changePlan.plan.key).toBe('viral_surge');
    // Now it succeeded, the same key replays that answer without calling Stripe again.
    const updates = async () =>
      (await stripe.stripe.events.list({ type: 'customer.subscription.updated', limit: 100 })).data.filter(
        (e) => (e.data.object as { id: string }).id === start.subscription!.id,
      ).length;
    const before = await updates();
    expect((await change()).data).toEqual(retried.data);
    expect(await updates()).toBe(before);
  });
});

describe('Idempotency-Key after an outcome Stripe may have applied (the simulator behind a proxy that can lose answers)', () => {
  let stripe: SimulatedStripe;
  let proxy: StripeProxy;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    proxy = await startStripeProxy(stripe.sim.url);
    t = await createTestApp({
      env: { ...stripe.env, STRIPE_API_BASE: proxy.url, WEBHOOK_WORKER_ENABLED: 'false' },
      listenPort: stripe.webhookPort,
      clock: new ManualClock(stripe.sim.now() * 1000),
    });
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
    await stripe.close();
  });

  const customerOf = async (business: string): Promise<string> => {
    const [{ stripe_customer_id: customer }] = await t.dataSource.query(
      'SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1',
      [business],
    );
    return customer as string;
  };
  const keyRow = async (business: string, key: string) => {
    const [row] = await t.dataSource.query('SELECT state, attempt FROM idempotency_keys WHERE business_id = $1 AND key = $2', [business, key]);
    return row as { state: string; attempt: number } | undefined;
  };

  it('keeps an upgrade whose answer was lost after Stripe applied it: the released downgrade is not put back over it', async () => {
    const business = 'biz_lost_upgrade';
    const start = await subscribe(t, stripe, business, 'viral_surge');
    const subscriptionId = start.subscription!.id;
    await ok(t.gql(CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, business)));
    expect((await billingOf(t, business)).subscription!.scheduledChange).toMatchObject({ planKey: 'glow_up' });

    // Stripe applies (and charges) the upgrade; its answer never reaches the service, nor that of
    // the SDK's one retry of a closed connection (which Stripe answers from its idempotency key).
    let dropped = 0;
    proxy.onResponse = async (request) => {
      if (request.method !== 'POST' || request.path !== `/v1/subscriptions/${subscriptionId}` || dropped >= 2) return;
      dropped += 1;
      return 'drop';
    };
    let res;
    try {
      res = await t.gql(CHANGE_PLAN, { plan: 'fame_flex', interval: 'MONTHLY' }, await ownerToken(t, business), { 'idempotency-key': 'lost-upgrade' });
    } finally {
      proxy.onResponse = undefined;
    }
    expect(dropped).toBe(2);
    expect(errorCode(res)).toBe('STRIPE_UNAVAILABLE');
    const sub = await stripe.stripe.subscriptions.retrieve(subscriptionId, { expand: ['schedule'] });
    expect(sub.items.data.map((item) => item.price.id)).toEqual([stripe.prices.fame_flex.monthly]);
    expect((sub.schedule as Stripe.SubscriptionSchedule | null)?.status ?? null).toBeNull();
    // The sync after the failure shows what Stripe holds: the paid upgrade.
    expect(await billingOf(t, business)).toMatchObject({ plan: { key: 'fame_flex' }, subscription: { planKey: 'fame_flex', scheduledChange: null } });
    // The outcome was unknown: the same key resumes the same attempt.
    expect(await keyRow(business, 'lost-upgrade')).toEqual({ state: 'interrupted', attempt: 0 });
  });

  it('puts the released downgrade back when the upgrade never reached Stripe (its outcome unknown, the price unchanged)', async () => {
    const business = 'biz_unsent_upgrade';
    const start = await subscribe(t, stripe, business, 'viral_surge');
    const subscriptionId = start.subscription!.id;
    await ok(t.gql(CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, business)));
    expect((await billingOf(t, business)).subscription!.scheduledChange).toMatchObject({ planKey: 'glow_up' });

    // The price change (and the SDK's one retry of it) is cut before it reaches Stripe.
    let cut = 0;
    proxy.onRequest = (request) => {
      if (request.method !== 'POST' || request.path !== `/v1/subscriptions/${subscriptionId}` || cut >= 2) return;
      cut += 1;
      return 'drop';
    };
    let res;
    try {
      res = await t.gql(CHANGE_PLAN, { plan: 'fame_flex', interval: 'MONTHLY' }, await ownerToken(t, business), { 'idempotency-key': 'unsent-upgrade' });
    } finally {
      proxy.onRequest = undefined;
    }
    expect(cut).toBe(2);
    expect(errorCode(res)).toBe('STRIPE_UNAVAILABLE');
    // Nothing changed at Stripe but the released schedule, which is back: the downgrade still comes.
    const sub = await stripe.stripe.subscriptions.retrieve(subscriptionId, { expand: ['schedule'] });
    expect(sub.items.data.map((item) => item.price.id)).toEqual([stripe.prices.viral_surge.monthly]);
    expect((sub.schedule as Stripe.SubscriptionSchedule | null)?.status).toBe('active');
    expect((await billingOf(t, business)).subscription).toMatchObject({ planKey: 'viral_surge', scheduledChange: { planKey: 'glow_up' } });
    // Put back in full: the same key runs the request again as a new attempt, with new Stripe keys.
    expect(await keyRow(business, 'unsent-upgrade')).toEqual({ state: 'refused', attempt: 0 });
  });

  it('hands out the session Stripe created when recording it failed and expiring it failed too, instead of opening a second one', async () => {
    const business = 'biz_unrecorded_session';
    const checkout = async () =>
      t.gql<{ createCheckoutSession: { id: string } }>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, business), {
        'idempotency-key': 'unrecorded',
      });
    const otherHolder = randomUUID();
    // While Stripe creates the session, another caller takes the business's checkout claim (our
    // lease passed), and Stripe becomes unreachable: the session is neither recorded nor expired.
    proxy.onResponse = async (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/checkout/sessions') return;
      await t.dataSource.query('UPDATE checkout_claims SET holder = $2 WHERE business_id = $1', [business, otherHolder]);
      proxy.down = true;
    };
    let first;
    try {
      first = await checkout();
    } finally {
      proxy.onResponse = undefined;
      proxy.down = false;
    }
    expect(errorCode(first)).toBe('CHECKOUT_IN_PROGRESS');
    const open = async () => (await stripe.stripe.checkout.sessions.list({ customer: await customerOf(business), status: 'open', limit: 100 })).data;
    const [unrecorded] = await open();
    expect(unrecorded).toBeDefined();
    // The other caller is done.
    await t.dataSource.query('DELETE FROM checkout_claims WHERE business_id = $1 AND holder = $2', [business, otherHolder]);

    const retried = await ok(checkout());
    expect(retried.createCheckoutSession.id).toBe(unrecorded.id);
    expect((await open()).map((s) => s.id)).toEqual([unrecorded.id]);
  });

  it('runs a request refused before any Stripe change again as a new attempt', async () => {
    const business = 'biz_refused_early';
    await subscribe(t, stripe, business, 'glow_up');
    const same = async () =>
      t.gql(CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, business), { 'idempotency-key': 'same-plan' });
    expect(errorCode(await same())).toBe('SAME_PLAN');
    expect(await keyRow(business, 'same-plan')).toEqual({ state: 'refused', attempt: 0 });
    expect(errorCode(await same())).toBe('SAME_PLAN');
    expect(await keyRow(business, 'same-plan')).toEqual({ state: 'refused', attempt: 1 });
  });
});
