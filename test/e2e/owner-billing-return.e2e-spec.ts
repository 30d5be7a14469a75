import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBillingApp, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { billingOf, CHECKOUT, ok, ownerToken } from '../utils/owner-billing-helpers.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database.js';

const RETURN_PAGE = 'http://localhost:3000/billing';

describe('checkout return route: only sessions this service opened link anything', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    await stripe.control('/_sim/delivery', { enabled: false });
    t = await startBillingApp(stripe, { env: { WEBHOOK_WORKER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const returnTo = async (sessionId: string) => {
    const res = await t.http().get(`/billing/checkout/return?session_id=${sessionId}`);
    expect(res.status).toBe(303);
    return res.headers.location as string;
  };
  const accountOf = async (business: string) =>
    (await t.dataSource.query('SELECT stripe_customer_id, plan_key FROM billing_accounts WHERE business_id = $1', [business]))[0];

  it("does not link a buyer's payment to a victim named only in client_reference_id", async () => {
    // The victim has an account (they opened the billing page) and no Stripe customer yet.
    expect((await billingOf(t, 'biz_victim')).plan.key).toBe('free');
    expect(await accountOf('biz_victim')).toEqual({ stripe_customer_id: null, plan_key: 'free' });
    // A Payment Link or a session made elsewhere: the buyer chose client_reference_id.
    const hostile = await stripe.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: stripe.prices.fame_flex.monthly, quantity: 1 }],
      client_reference_id: 'biz_victim',
      customer_email: 'attacker@example.test',
      success_url: 'http://localhost:3000/billing/checkout/return?session_id={CHECKOUT_SESSION_ID}',
    });
    await stripe.control(`/_sim/checkout_sessions/${hostile.id}/complete`, { outcome: 'paid' });

    expect(await returnTo(hostile.id)).toBe(`${RETURN_PAGE}?checkout=error`);
    expect(await accountOf('biz_victim')).toEqual({ stripe_customer_id: null, plan_key: 'free' });
    expect(await billingOf(t, 'biz_victim')).toMatchObject({ plan: { key: 'free' }, subscription: null });
  });

  it("refuses our own session when it comes back for another business than the one that opened it", async () => {
    const { createCheckoutSession: session } = await ok(
      t.gql<{ createCheckoutSession: { id: string } }>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, 'biz_opener')),
    );
    await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, { outcome: 'paid' });
    // Our row says who opened it; a tampered row (as if another business had) must not link the opener's customer.
    await t.dataSource.query(`UPDATE checkout_sessions SET business_id = 'biz_other' WHERE id = $1`, [session.id]);
    expect(await returnTo(session.id)).toBe(`${RETURN_PAGE}?checkout=error`);
    await t.dataSource.query(`UPDATE checkout_sessions SET business_id = 'biz_opener' WHERE id = $1`, [session.id]);
    expect(await returnTo(session.id)).toBe(`${RETURN_PAGE}?checkout=success`);
    expect((await billingOf(t, 'biz_opener')).plan.key).toBe('glow_up');
  });
});

describe('checkout return route while our database is down', () => {
  let stripe: SimulatedStripe;
  let databaseUrl: string;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    await stripe.control('/_sim/delivery', { enabled: false });
    databaseUrl = await createTestDatabase();
    const target = new URL(databaseUrl);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    t = await startBillingApp(stripe, { databaseUrl: proxy.wrap(databaseUrl), listen: false, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await proxy.up();
    await t?.close();
    await dropTestDatabase(databaseUrl);
    await proxy.down();
    await stripe.close();
  });

  it('redirects with checkout=pending (retryable) for a known session, checkout=error for a bad one, and success once it is back', async () => {
    const { createCheckoutSession: session } = await ok(
      t.gql<{ createCheckoutSession: { id: string } }>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, await ownerToken(t, 'biz_db_down')),
    );
    await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, { outcome: 'paid' });
    await proxy.down();
    const during = await t.http().get(`/billing/checkout/return?session_id=${session.id}`);
    expect(during.status).toBe(303);
    expect(during.headers.location).toBe(`${RETURN_PAGE}?checkout=pending`);
    const bad = await t.http().get('/billing/checkout/return?session_id=cs_test_doesnotexist');
    expect(bad.status).toBe(303);
    expect(bad.headers.location).toBe(`${RETURN_PAGE}?checkout=error`);

    await proxy.up();
    const after = await t.http().get(`/billing/checkout/return?session_id=${session.id}`);
    expect(after.headers.location).toBe(`${RETURN_PAGE}?checkout=success`);
    expect((await billingOf(t, 'biz_db_down')).plan.key).toBe('glow_up');
  });
});
