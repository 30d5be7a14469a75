import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { SimHarness } from './testing/harness.js';

describe('checkout through the SDK', () => {
  let h: SimHarness;
  let prices: Awaited<ReturnType<SimHarness['plan']>>;

  beforeAll(async () => {
    h = await SimHarness.start();
    prices = await h.plan('Pro', 2000);
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates an open session whose url serves a payment page', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: prices.monthly.id, quantity: 1 }],
      customer_email: 'page@example.com',
      success_url: 'https://app.example/ok?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example/cancel',
    });
    expect(session).toMatchObject({ object: 'checkout.session', status: 'open', mode: 'subscription', payment_status: 'unpaid', livemode: false, amount_total: 2000 });
    expect(session.id).toMatch(/^cs_test_/);
    const html = await (await fetch(session.url!)).text();
    expect(html).toContain('Pay');
    expect(html).toContain('page@example.com');
  });

  it('completes a paid checkout: customer, active subscription, paid invoice, events', async () => {
    const { session, subscription, customer } = await h.subscribe(prices.monthly.id, { email: 'paid@example.com', metadata: { userId: 'u_42' } });
    expect(session).toMatchObject({ status: 'complete', payment_status: 'paid', customer, client_reference_id: 'user_1', metadata: { origin: 'test' }, url: null });
    expect(subscription).not.toBeNull();
    const sub = subscription!;
    expect(sub.status).toBe('active');
    expect(sub.metadata).toEqual({ userId: 'u_42' });
    expect(sub.items.data[0]!.price.id).toBe(prices.monthly.id);
    expect(sub.items.data[0]!.current_period_end).toBeGreaterThan(sub.items.data[0]!.current_period_start);
    expect(sub).not.toHaveProperty('current_period_end');
    const cust = await h.stripe.customers.retrieve(customer);
    expect(cust).toMatchObject({ email: 'paid@example.com' });
    const invoice = await h.stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2000, billing_reason: 'subscription_create' });
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(invoice.parent?.subscription_details?.metadata).toEqual({ userId: 'u_42' });
    const [completed] = await h.events('checkout.session.completed');
    const obj = completed!.data.object as Stripe.Checkout.Session;
    expect(obj).toMatchObject({ id: session.id, mode: 'subscription', status: 'complete', payment_status: 'paid', customer, subscription: sub.id, client_reference_id: 'user_1' });
    expect(completed!.api_version).toBe('2026-10-28.endive');
    const types = (await h.stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    for (const t of ['customer.created', 'payment_method.attached', 'customer.subscription.created', 'invoice.paid', 'invoice.payment_succeeded']) expect(types).toContain(t);
  });

  it('retrieves a session with expanded line_items and subscription', async () => {
    const { session } = await h.subscribe(prices.yearly.id, { email: 'expand@example.com' });
    const full = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items', 'subscription', 'customer'] });
    expect(full.line_items?.data[0]?.price?.id).toBe(prices.yearly.id);
    expect((full.subscription as Stripe.Subscription).object).toBe('subscription');
    expect((full.customer as Stripe.Customer).email).toBe('expand@example.com');
  });

  it('a declined card leaves an incomplete subscription with a failed invoice and the session open', async () => {
    const { session, subscription } = await h.subscribe(prices.monthly.id, { email: 'declined@example.com', outcome: 'declined' });
    expect(session.status).toBe('open');
    expect(subscription?.status).toBe('incomplete');
    const invoice = await h.stripe.invoices.retrieve(subscription!.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, amount_paid: 0 });
    const failed = await h.events('invoice.payment_failed');
    expect(failed.some((e) => (e.data.object as Stripe.Invoice).id === invoice.id)).toBe(true);
    const completed = await h.events('checkout.session.completed');
    expect(completed.some((e) => (e.data.object as Stripe.Checkout.Session).id === session.id)).toBe(false);

    // Paying afterwards completes the same session and activates the same subscription.
    await h.control(`/checkout_sessions/${session.id}/complete`, { outcome: 'paid' });
    const after = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(after.status).toBe('active');
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });

  it('reuses an existing customer and lists subscriptions by customer with status=all', async () => {
    const customer = await h.stripe.customers.create({ email: 'existing@example.com' });
    const { subscription } = await h.subscribe(prices.monthly.id, { customer: customer.id });
    expect(subscription?.customer).toBe(customer.id);
    const list = await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    expect(list.data.map((s) => s.id)).toEqual([subscription!.id]);
    const byEmail = await h.stripe.customers.list({ email: 'existing@example.com' });
    expect(byEmail.data.map((c) => c.id)).toEqual([customer.id]);
  });

  it('the HTML Pay button completes the session and redirects to the success url', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: prices.monthly.id }],
      customer_email: 'browser@example.com',
      success_url: 'https://app.example/ok?session_id={CHECKOUT_SESSION_ID}',
    });
    const res = await fetch(`${session.url!}/pay`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://app.example/ok?session_id=${session.id}`);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });

  it('serves a billing portal page that can cancel at period end', async () => {
    const { subscription, customer } = await h.subscribe(prices.monthly.id, { email: 'portal@example.com' });
    const portal = await h.stripe.billingPortal.sessions.create({ customer, return_url: 'https://app.example/account' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer, return_url: 'https://app.example/account' });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain('Cancel at period end');
    const res = await fetch(`${portal.url}/subscriptions/${subscription!.id}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect((await h.stripe.subscriptions.retrieve(subscription!.id)).cancel_at_period_end).toBe(true);
  });
});
