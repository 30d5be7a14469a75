import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { SimHarness } from './testing/harness.js';
import { simulatorStripeConfig } from './index.js';

describe('errors and idempotency as the SDK sees them', () => {
  let h: SimHarness;

  beforeAll(async () => {
    h = await SimHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('replays the first response for the same Idempotency-Key and parameters', async () => {
    const a = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    const b = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);
    const created = (await h.events('customer.created')).filter((e) => (e.data.object as Stripe.Customer).id === a.id);
    expect(created).toHaveLength(1);
    expect(created[0]!.request).toEqual({ id: a.lastResponse.requestId, idempotency_key: 'key-1' });
  });

  it('raises StripeIdempotencyError when the key is reused with other parameters', async () => {
    await h.stripe.customers.create({ email: 'first@example.com' }, { idempotencyKey: 'key-2' });
    const reuse = h.stripe.customers.create({ email: 'second@example.com' }, { idempotencyKey: 'key-2' });
    await expect(reuse).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(reuse).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
  });

  it('forgets a key after 24 hours of virtual time, as Stripe does', async () => {
    const a = await h.stripe.customers.create({ email: 'ttl@example.com' }, { idempotencyKey: 'key-ttl' });
    h.sim.advanceClock(23 * 3600);
    const b = await h.stripe.customers.create({ email: 'ttl@example.com' }, { idempotencyKey: 'key-ttl' });
    expect(b.id).toBe(a.id);
    h.sim.advanceClock(3600);
    const c = await h.stripe.customers.create({ email: 'ttl@example.com' }, { idempotencyKey: 'key-ttl' });
    expect(c.id).not.toBe(a.id);
    expect(c.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers unknown ids with 404 resource_missing', async () => {
    const missing = h.stripe.subscriptions.retrieve('sub_does_not_exist');
    await expect(missing).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(missing).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    await expect(h.stripe.customers.retrieve('cus_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await expect(h.stripe.invoices.retrieve('in_nope')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers bad parameters with 400 and the offending param', async () => {
    const product = await h.stripe.products.create({ name: 'Errors' });
    const noCurrency = h.stripe.prices.create({ product: product.id, unit_amount: 100 } as Stripe.PriceCreateParams);
    await expect(noCurrency).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'currency', code: 'parameter_missing' });
    const both = h.stripe.checkout.sessions.create({ mode: 'subscription', customer: 'cus_x', customer_email: 'x@example.com', line_items: [] });
    await expect(both).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('rejects a missing key with 401 in Stripe’s shape, and a live key with StripeAuthenticationError', async () => {
    const res = await fetch(`${h.sim.url}/v1/customers`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('API key');
    const live = new Stripe('sk_live_nope', simulatorStripeConfig(h.sim.url));
    await expect(live.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('raises StripeCardError (402) when a charge fails and payment_behavior is error_if_incomplete', async () => {
    const customer = await h.stripe.customers.create({ email: 'card@example.com' });
    await h.paymentBehavior(customer.id, 'fail');
    const { monthly } = await h.plan('Card', 500);
    const attempt = h.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], payment_behavior: 'error_if_incomplete' });
    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(0);
    const incomplete = await h.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    expect(incomplete.status).toBe('incomplete');
    await expect(h.stripe.invoices.pay(incomplete.latest_invoice as string)).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await h.paymentBehavior(customer.id, 'succeed');
    await expect(h.stripe.invoices.pay(incomplete.latest_invoice as string)).resolves.toMatchObject({ status: 'paid' });
    expect((await h.stripe.subscriptions.retrieve(incomplete.id)).status).toBe('active');
  });

  it('reports unimplemented endpoints as 404 invalid_request_error', async () => {
    await expect(h.stripe.charges.list()).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404 });
  });

  it('accepts any Stripe-Version header and echoes it', async () => {
    const res = await fetch(`${h.sim.url}/v1/customers?limit=1`, { headers: { authorization: 'Bearer sk_test_x', 'stripe-version': '2020-08-27' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('stripe-version')).toBe('2020-08-27');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('refuses updates Stripe refuses on a canceled subscription', async () => {
    const customer = await h.stripe.customers.create({ email: 'canceled@example.com' });
    const { monthly, yearly } = await h.plan('Frozen', 700);
    const sub = await h.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    await h.stripe.subscriptions.cancel(sub.id);
    const change = h.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: yearly.id }] });
    await expect(change).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    await expect(h.stripe.subscriptions.update(sub.id, { metadata: { note: 'still allowed' } })).resolves.toMatchObject({ metadata: { note: 'still allowed' } });
  });
});
