import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBillingApp, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { createTestApp, errorCode, type TestApp } from '../utils/create-test-app.js';
import {
  BILLING,
  CANCEL,
  CANCEL_SCHEDULED,
  CHANGE_PLAN,
  CHECKOUT,
  ok,
  ownerToken,
  PORTAL,
  PREVIEW,
  RESUME,
  subscribe,
  type BillingView,
} from '../utils/owner-billing-helpers.js';

interface CheckoutData {
  createCheckoutSession: { id: string; url: string };
}

describe('owner billing: who may do what, refusals with codes, Idempotency-Key, one open checkout', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    t = await startBillingApp(stripe);
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const checkoutWithKey = async (business: string, key: string | undefined, plan = 'glow_up', interval = 'MONTHLY') =>
    t.gql<CheckoutData>(CHECKOUT, { plan, interval }, await ownerToken(t, business), key ? { 'idempotency-key': key } : {});
  const customerOf = async (business: string): Promise<string> =>
    (await t.dataSource.query('SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1', [business]))[0]
      .stripe_customer_id;
  const sessionsOf = async (business: string, status?: 'open' | 'expired' | 'complete') =>
    (await stripe.stripe.checkout.sessions.list({ customer: await customerOf(business), ...(status ? { status } : {}), limit: 100 })).data;

  it('refuses every mutation to a member with FORBIDDEN, and lets the member read billing', async () => {
    await subscribe(t, stripe, 'biz_team', 'glow_up');
    const member = await t.token({ business: 'biz_team', role: 'member' });
    const mutations: [string, Record<string, unknown>][] = [
      [CHECKOUT, { plan: 'viral_surge', interval: 'MONTHLY' }],
      [PORTAL, {}],
      [PREVIEW, { plan: 'viral_surge', interval: 'MONTHLY' }],
      [CHANGE_PLAN, { plan: 'viral_surge', interval: 'MONTHLY' }],
      [CANCEL_SCHEDULED, {}],
      [CANCEL, { atPeriodEnd: false }],
      [RESUME, {}],
    ];
    for (const [query, variables] of mutations) {
      const res = await t.gql(query, variables, member);
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    const rest = await t.http().post('/api/billing/checkout').set('authorization', `Bearer ${member}`).send({ planKey: 'glow_up', interval: 'monthly' });
    expect(rest.status).toBe(403);
    expect(rest.body.code).toBe('FORBIDDEN');
    // Nothing changed, and the member sees the paid plan.
    const { billing } = await ok(t.gql<{ billing: BillingView }>(BILLING, {}, member));
    expect(billing).toMatchObject({ businessId: 'biz_team', plan: { key: 'glow_up' }, subscription: { status: 'active', cancelAtPeriodEnd: false } });
    const status = await t.http().get('/api/billing/status').set('authorization', `Bearer ${member}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ businessId: 'biz_team', plan: { key: 'glow_up' }, subscription: { status: 'active' } });
  });

  it("never shows or touches another business's account", async () => {
    await subscribe(t, stripe, 'biz_mine', 'viral_surge');
    const other = await ownerToken(t, 'biz_theirs');
    const { billing } = await ok(t.gql<{ billing: BillingView }>(BILLING, {}, other));
    expect(billing).toMatchObject({ businessId: 'biz_theirs', plan: { key: 'free' }, subscription: null });
    expect(errorCode(await t.gql(CANCEL, { atPeriodEnd: false }, other))).toBe('NO_SUBSCRIPTION');
    expect(errorCode(await t.gql(PORTAL, {}, other))).toBe('NO_STRIPE_CUSTOMER');
    const mine = await ok(t.gql<{ billing: BillingView }>(BILLING, {}, await ownerToken(t, 'biz_mine')));
    expect(mine.billing).toMatchObject({ plan: { key: 'viral_surge' }, subscription: { status: 'active', cancelAtPeriodEnd: false } });
    // A business id in the arguments is not even part of the schema.
    const res = await t.gql(`mutation { cancelSubscription(atPeriodEnd: false, businessId: "biz_mine") { id } }`, {}, other);
    expect(res.errors?.[0].extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
  });

  it('refuses with the documented codes', async () => {
    const owner = await ownerToken(t, 'biz_codes');
    expect(errorCode(await t.gql(PORTAL, {}, owner))).toBe('NO_STRIPE_CUSTOMER');
    expect(errorCode(await t.gql(CHECKOUT, { plan: 'free', interval: 'MONTHLY' }, owner))).toBe('PLAN_NOT_PURCHASABLE');
    expect(errorCode(await t.gql(CHECKOUT, { plan: 'no_such_plan', interval: 'MONTHLY' }, owner))).toBe('PLAN_NOT_PURCHASABLE');
    expect(errorCode(await t.gql(CHECKOUT, { plan: 'glow_up', interval: 'WEEKLY' }, owner))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(CHECKOUT, { plan: '', interval: 'MONTHLY' }, owner))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(PREVIEW, { plan: 'viral_surge', interval: 'MONTHLY' }, owner))).toBe('NO_SUBSCRIPTION');
    expect(errorCode(await t.gql(CHANGE_PLAN, { plan: 'viral_surge', interval: 'MONTHLY' }, owner))).toBe('NO_SUBSCRIPTION');
    expect(errorCode(await t.gql(RESUME, {}, owner))).toBe('NO_SUBSCRIPTION');

    await subscribe(t, stripe, 'biz_codes', 'glow_up');
    expect(errorCode(await t.gql(CHECKOUT, { plan: 'viral_surge', interval: 'MONTHLY' }, owner))).toBe('ALREADY_SUBSCRIBED');
    expect(errorCode(await t.gql(CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }, owner))).toBe('SAME_PLAN');
    expect(errorCode(await t.gql(CHANGE_PLAN, { plan: 'nope', interval: 'MONTHLY' }, owner))).toBe('PLAN_NOT_PURCHASABLE');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(errorCode(await t.gql(CHANGE_PLAN, { plan: 'viral_surge', interval: 'MONTHLY', prorationDate: future }, owner))).toBe('BAD_USER_INPUT');
    const { createBillingPortalSession: portal } = await ok(t.gql<{ createBillingPortalSession: { url: string } }>(PORTAL, {}, owner));
    expect(portal.url).toMatch(/\/portal\//);
    const portalSessions = (await stripe.stripe.events.list({ type: 'billing_portal.session.created', limit: 10 })).data;
    expect(portalSessions.map((e) => (e.data.object as { customer: string; return_url: string })).find((s) => s.customer === undefined)).toBeUndefined();
    expect(portalSessions.some((e) => (e.data.object as { return_url: string }).return_url === 'http://localhost:3000/billing')).toBe(true);
  });

  it('answers STRIPE_NOT_CONFIGURED without a key and STRIPE_UNAVAILABLE when Stripe cannot be reached', async () => {
    const { STRIPE_SECRET_KEY: _key, STRIPE_API_BASE: _base, ...withoutKey } = stripe.env;
    const unconfigured = await createTestApp({ env: { ...withoutKey, WEBHOOK_WORKER_ENABLED: 'false' } });
    try {
      const res = await unconfigured.gql(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(unconfigured, 'biz_nokey'));
      expect(errorCode(res)).toBe('STRIPE_NOT_CONFIGURED');
    } finally {
      await unconfigured.close();
    }
    const down = await createTestApp({ env: { ...stripe.env, STRIPE_API_BASE: 'http://127.0.0.1:9', WEBHOOK_WORKER_ENABLED: 'false' } });
    try {
      const res = await down.gql(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(down, 'biz_down'));
      expect(errorCode(res)).toBe('STRIPE_UNAVAILABLE');
      const [{ n }] = await down.dataSource.query('SELECT count(*)::int AS n FROM checkout_sessions');
      expect(n).toBe(0);
    } finally {
      await down.close();
    }
  });

  it('answers two concurrent calls with one Idempotency-Key with one Stripe session, also from another instance', async () => {
    const [a, b] = await Promise.all([checkoutWithKey('biz_idem', 'key-1'), checkoutWithKey('biz_idem', 'key-1')]);
    expect(a.errors).toBeUndefined();
    expect(b.data).toEqual(a.data);
    expect(await sessionsOf('biz_idem')).toHaveLength(1);

    const second = await startBillingApp(stripe, { databaseUrl: t.databaseUrl, listen: false, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
    try {
      const res = await second.gql(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(second, 'biz_idem'), {
        'idempotency-key': 'key-1',
      });
      expect(res.data).toEqual(a.data);
    } finally {
      await second.close({ keepDatabase: true });
    }
    expect(await sessionsOf('biz_idem')).toHaveLength(1);

    // The same key for another request is refused; a malformed key too.
    expect(errorCode(await checkoutWithKey('biz_idem', 'key-1', 'fame_flex'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await checkoutWithKey('biz_idem', 'has space'))).toBe('BAD_USER_INPUT');
    // Keys belong to one business: another business's key-1 is its own.
    const other = await checkoutWithKey('biz_idem_other', 'key-1');
    expect(other.data!.createCheckoutSession.id).not.toBe(a.data!.createCheckoutSession.id);
  });

  it('leaves at most one open Checkout Session per business without a key', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => checkoutWithKey('biz_one_open', undefined)));
    const ids = new Set(answers.map((r) => r.data!.createCheckoutSession.id));
    expect(ids.size).toBe(1);
    expect(await sessionsOf('biz_one_open', 'open')).toHaveLength(1);

    // Another plan: the old session is expired, one open session remains.
    const other = await checkoutWithKey('biz_one_open', undefined, 'viral_surge', 'YEARLY');
    expect(ids.has(other.data!.createCheckoutSession.id)).toBe(false);
    const open = await sessionsOf('biz_one_open', 'open');
    expect(open.map((s) => s.id)).toEqual([other.data!.createCheckoutSession.id]);
    expect((await sessionsOf('biz_one_open', 'expired')).map((s) => s.id)).toEqual([...ids]);
  });

  it('offers the same over REST: POST /api/billing/checkout and GET /api/billing/status', async () => {
    const token = await ownerToken(t, 'biz_rest');
    const first = await t
      .http()
      .post('/api/billing/checkout')
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', 'rest-1')
      .send({ planKey: 'glow_up', interval: 'monthly' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: expect.stringMatching(/^cs_/), url: expect.stringContaining('/checkout/') });
    const again = await t
      .http()
      .post('/api/billing/checkout')
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', 'rest-1')
      .send({ planKey: 'glow_up', interval: 'monthly' });
    expect(again.body).toEqual(first.body);
    const bad = await t.http().post('/api/billing/checkout').set('authorization', `Bearer ${token}`).send({ planKey: 'glow_up', interval: 'weekly' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_USER_INPUT');
    const free = await t.http().post('/api/billing/checkout').set('authorization', `Bearer ${token}`).send({ planKey: 'free', interval: 'monthly' });
    expect(free.status).toBe(422);
    expect(free.body.code).toBe('PLAN_NOT_PURCHASABLE');
    const anonymous = await t.http().get('/api/billing/status');
    expect(anonymous.status).toBe(401);

    await stripe.control(`/_sim/checkout_sessions/${first.body.id}/complete`, { outcome: 'paid' });
    await t.http().get(`/billing/checkout/return?session_id=${first.body.id}`).expect(303);
    const status = await t.http().get('/api/billing/status').set('authorization', `Bearer ${token}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      businessId: 'biz_rest',
      plan: { key: 'glow_up' },
      // A first purchase of a plan with trial days starts with the plan's trial (issue 9).
      subscription: { status: 'trialing', interval: 'monthly' },
      usage: [{ metric: 'campaigns' }, { metric: 'creators' }],
      warnings: [],
      overLimit: [],
    });
    // The same billing object as GraphQL, trial included.
    const trialFields = 'trial { status planKey startDate endDate conversionDate daysLeft }';
    const { billing } = await ok(t.gql<{ billing: { trial: Record<string, unknown> } }>(`{ billing { ${trialFields} } }`, {}, token));
    expect(billing.trial).toMatchObject({ status: 'active', planKey: 'glow_up' });
    expect(status.body.trial).toEqual(billing.trial);
    const fresh = await t.http().get('/api/billing/status').set('authorization', `Bearer ${await ownerToken(t, 'biz_rest_fresh')}`);
    expect(fresh.body.trial).toEqual({ status: 'inactive', planKey: null, startDate: null, endDate: null, conversionDate: null, daysLeft: null });
  });
});
