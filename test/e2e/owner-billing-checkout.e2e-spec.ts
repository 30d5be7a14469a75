import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { settle, startBillingApp, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';

const CHECKOUT = `mutation($plan: String!, $interval: BillingInterval!, $withTrial: Boolean = false) {
  createCheckoutSession(input: { planKey: $plan, interval: $interval, withTrial: $withTrial }) { id url } }`;
const BILLING = `{ billing { businessId planSource billingSyncStatus plan { key }
  subscription { id status interval cancelAtPeriodEnd scheduledChange { planKey } } } }`;

interface CheckoutData {
  createCheckoutSession: { id: string; url: string };
}
interface BillingData {
  billing: {
    businessId: string;
    planSource: string;
    billingSyncStatus: string;
    plan: { key: string };
    subscription: { id: string; status: string; interval: string; cancelAtPeriodEnd: boolean } | null;
  };
}

describe('owner checkout: free -> Checkout -> paid, with webhook delivery off, on, or racing the return', () => {
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

  const owner = (business: string) => t.token({ business, role: 'owner', email: `${business}@example.test` });
  const openCheckout = async (business: string, plan = 'glow_up', interval = 'MONTHLY') => {
    const res = await t.gql<CheckoutData>(CHECKOUT, { plan, interval }, await owner(business));
    expect(res.errors).toBeUndefined();
    return res.data!.createCheckoutSession;
  };
  const pay = (sessionId: string, outcome: 'paid' | 'declined' = 'paid') =>
    stripe.control(`/_sim/checkout_sessions/${sessionId}/complete`, { outcome });
  const returnTo = async (query: string) => {
    const res = await t.http().get(`/billing/checkout/return${query}`);
    expect(res.status).toBe(303);
    return res.headers.location as string;
  };
  const billing = async (business: string) => {
    const res = await t.gql<BillingData>(BILLING, {}, await owner(business));
    expect(res.errors).toBeUndefined();
    return res.data!.billing;
  };
  const eventsOf = async (business: string): Promise<number> => {
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM stripe_events e JOIN billing_accounts a ON a.stripe_customer_id = e.customer_id
        WHERE a.business_id = $1`,
      [business],
    );
    return n;
  };

  it('opens a Checkout Session that Stripe ties to the business, with our return URLs', async () => {
    const { id, url } = await openCheckout('biz_shape', 'viral_surge', 'YEARLY');
    expect(url).toMatch(new RegExp(`/checkout/${id}$`));
    const session = await stripe.stripe.checkout.sessions.retrieve(id, { expand: ['line_items'] });
    const customer = await stripe.stripe.customers.retrieve(session.customer as string);
    expect(session).toMatchObject({
      mode: 'subscription',
      client_reference_id: 'biz_shape',
      success_url: 'http://localhost:3000/billing/checkout/return?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:3000/billing?checkout=cancel',
    });
    expect(session.line_items!.data[0].price!.id).toBe(stripe.prices.viral_surge.yearly);
    expect(customer).toMatchObject({ email: 'biz_shape@example.test', metadata: { businessId: 'biz_shape' } });
    const created = (await stripe.stripe.events.list({ type: 'customer.created', limit: 100 })).data.find(
      (e) => (e.data.object as { id: string }).id === session.customer,
    );
    expect(created?.request?.idempotency_key).toBe('billing:customer:biz_shape:biz_shape@example.test');
    const [account] = await t.dataSource.query('SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1', ['biz_shape']);
    expect(account.stripe_customer_id).toBe(session.customer);
  });

  it('shows the paid plan right after the return route with webhook delivery off', async () => {
    await stripe.control('/_sim/delivery', { enabled: false });
    try {
      expect((await billing('biz_off')).plan.key).toBe('free');
      const { id } = await openCheckout('biz_off');
      await pay(id);
      expect(await returnTo(`?session_id=${id}`)).toBe('http://localhost:3000/billing?checkout=success');
      const after = await billing('biz_off');
      expect(after).toMatchObject({
        plan: { key: 'glow_up' },
        planSource: 'SUBSCRIPTION',
        billingSyncStatus: 'checkout_return',
        subscription: { status: 'active', interval: 'MONTHLY', cancelAtPeriodEnd: false },
      });
      expect(await eventsOf('biz_off')).toBe(0);
      const subscription = (await stripe.stripe.checkout.sessions.retrieve(id)).subscription as string;
      expect(after.subscription!.id).toBe(subscription);
      expect((await stripe.stripe.subscriptions.retrieve(subscription)).metadata).toEqual({ businessId: 'biz_off', planKey: 'glow_up' });
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true });
    }
  });

  it('shows the paid plan when the webhooks arrive before the return', async () => {
    const { id } = await openCheckout('biz_hooks_first', 'fame_flex');
    await pay(id);
    await settle(stripe, [t]);
    const before = await billing('biz_hooks_first');
    expect(before.plan.key).toBe('fame_flex');
    expect(before.billingSyncStatus).toMatch(/^webhook_/);
    expect(await returnTo(`?session_id=${id}`)).toBe('http://localhost:3000/billing?checkout=success');
    expect(await billing('biz_hooks_first')).toMatchObject({ plan: { key: 'fame_flex' }, billingSyncStatus: 'checkout_return' });
  });

  it('shows the paid plan when the return and the webhooks race', async () => {
    const { id } = await openCheckout('biz_race', 'viral_surge');
    await pay(id);
    expect(await returnTo(`?session_id=${id}`)).toBe('http://localhost:3000/billing?checkout=success');
    expect((await billing('biz_race')).plan.key).toBe('viral_surge');
    await settle(stripe, [t]);
    expect(await eventsOf('biz_race')).toBeGreaterThan(0);
    expect((await billing('biz_race')).subscription).toMatchObject({ status: 'active' });
    expect((await billing('biz_race')).plan.key).toBe('viral_surge');
  });

  it.each([true, false])('keeps a declined card on the free plan and never says success (delivery %s)', async (delivery) => {
    const business = `biz_declined_${delivery}`;
    await stripe.control('/_sim/delivery', { enabled: delivery });
    try {
      const { id } = await openCheckout(business);
      await pay(id, 'declined');
      const outcome = await returnTo(`?session_id=${id}`);
      expect(outcome).toMatch(/\?checkout=(pending|cancel)$/);
      if (delivery) await settle(stripe, [t]);
      const after = await billing(business);
      expect(after.plan.key).toBe('free');
      expect(after.planSource).toBe('DEFAULT');
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true });
    }
  });

  it('redirects a bad, unknown or foreign session id with checkout=error, never a 500', async () => {
    expect(await returnTo('')).toBe('http://localhost:3000/billing?checkout=error');
    expect(await returnTo('?session_id=not-a-session')).toBe('http://localhost:3000/billing?checkout=error');
    expect(await returnTo('?session_id=cs_test_doesnotexist')).toBe('http://localhost:3000/billing?checkout=error');
    expect(await returnTo('?session_id=a&session_id=b')).toBe('http://localhost:3000/billing?checkout=error');
    // A session made outside this service, for a business we have never seen.
    const foreign = await stripe.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: stripe.prices.glow_up.monthly, quantity: 1 }],
      client_reference_id: 'biz_never_seen',
      success_url: 'http://localhost/x',
    });
    await pay(foreign.id);
    expect(await returnTo(`?session_id=${foreign.id}`)).toBe('http://localhost:3000/billing?checkout=error');
  });

  it('does not hand out an open session whose trial offer no longer matches the caller', async () => {
    const open = async (business: string, withTrial: boolean) => {
      const res = await t.gql<CheckoutData>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY', withTrial }, await owner(business));
      expect(res.errors).toBeUndefined();
      return res.data!.createCheckoutSession.id;
    };
    const statusAfterPaying = async (business: string, id: string) => {
      await pay(id);
      expect(await returnTo(`?session_id=${id}`)).toBe('http://localhost:3000/billing?checkout=success');
      return (await billing(business)).subscription!.status;
    };
    // Opened with the trial offer; then the business used its one trial (card-less): no trial any more.
    const withOffer = await open('biz_offer_gone', true);
    const started = await t.gql('mutation { startTrial(planKey: "viral_surge") { trial { status } } }', undefined, await owner('biz_offer_gone'));
    expect(started.errors).toBeUndefined();
    const replaced = await open('biz_offer_gone', true);
    expect(replaced).not.toBe(withOffer);
    expect((await stripe.stripe.checkout.sessions.retrieve(withOffer)).status).toBe('expired');
    expect(await statusAfterPaying('biz_offer_gone', replaced)).toBe('active');

    // And the other way: opened without a trial, asked again with the offer the business qualifies for.
    const without = await open('biz_offer_new', false);
    const offered = await open('biz_offer_new', true);
    expect(offered).not.toBe(without);
    expect((await stripe.stripe.checkout.sessions.retrieve(without)).status).toBe('expired');
    expect(await statusAfterPaying('biz_offer_new', offered)).toBe('trialing');
  });

  it("offers the plan's trial days to a business that never had a trial, and none once it had one", async () => {
    /** Checkout with the trial offer on, paid and returned: the status Stripe then reports. */
    const buyWithTrialOffer = async (business: string, plan: string) => {
      const res = await t.gql<CheckoutData>(CHECKOUT, { plan, interval: 'MONTHLY', withTrial: true }, await owner(business));
      expect(res.errors).toBeUndefined();
      const { id } = res.data!.createCheckoutSession;
      await pay(id);
      expect(await returnTo(`?session_id=${id}`)).toBe('http://localhost:3000/billing?checkout=success');
      const after = await billing(business);
      expect(after.plan.key).toBe(plan);
      return after.subscription!.status;
    };
    expect(await buyWithTrialOffer('biz_trial_first', 'glow_up')).toBe('trialing');
    // A card-less trial used up the offer: the checkout that converts it starts paying at once.
    const started = await t.gql('mutation { startTrial(planKey: "viral_surge") { trial { status } } }', undefined, await owner('biz_trial_used'));
    expect(started.errors).toBeUndefined();
    expect(await buyWithTrialOffer('biz_trial_used', 'viral_surge')).toBe('active');
    // A plan without trial days offers none.
    expect(await buyWithTrialOffer('biz_trial_none', 'fame_flex')).toBe('active');
  });
});
