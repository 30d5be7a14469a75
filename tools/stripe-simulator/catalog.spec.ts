import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { SimHarness } from './testing/harness.js';

describe('customers, products and prices', () => {
  let h: SimHarness;

  beforeAll(async () => {
    h = await SimHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates a catalog with lookup keys and finds prices by them', async () => {
    const product = await h.stripe.products.create({ name: 'Team', metadata: { plan: 'team' } });
    expect(product).toMatchObject({ object: 'product', name: 'Team', active: true, livemode: false, metadata: { plan: 'team' } });
    const monthly = await h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 4900, recurring: { interval: 'month' }, lookup_key: 'team_monthly' });
    const yearly = await h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 49000, recurring: { interval: 'year' }, lookup_key: 'team_yearly' });
    expect(monthly).toMatchObject({ object: 'price', type: 'recurring', unit_amount: 4900, lookup_key: 'team_monthly', recurring: { interval: 'month', interval_count: 1 } });
    // The SDK turns decimal strings into its Decimal type, so the wire value must be a decimal string.
    expect(String(monthly.unit_amount_decimal)).toBe('4900');
    const found = await h.stripe.prices.list({ lookup_keys: ['team_yearly', 'team_monthly'], expand: ['data.product'] });
    expect(found.data.map((p) => p.id).sort()).toEqual([monthly.id, yearly.id].sort());
    expect((found.data[0]!.product as Stripe.Product).name).toBe('Team');
    expect((await h.stripe.prices.retrieve(monthly.id)).id).toBe(monthly.id);
    expect((await h.stripe.prices.list({ product: product.id })).data).toHaveLength(2);
  });

  it('keeps lookup keys unique unless transfer_lookup_key is set', async () => {
    const product = await h.stripe.products.create({ name: 'Lookup' });
    const first = await h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'month' }, lookup_key: 'lookup_monthly' });
    const clash = h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 200, recurring: { interval: 'month' }, lookup_key: 'lookup_monthly' });
    await expect(clash).rejects.toMatchObject({ statusCode: 400, param: 'lookup_key' });
    const second = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 200,
      recurring: { interval: 'month' },
      lookup_key: 'lookup_monthly',
      transfer_lookup_key: true,
    });
    expect((await h.stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    expect((await h.stripe.prices.list({ lookup_keys: ['lookup_monthly'] })).data.map((p) => p.id)).toEqual([second.id]);
  });

  it('creates a product inline with product_data and deactivates prices', async () => {
    const price = await h.stripe.prices.create({ product_data: { name: 'Inline' }, currency: 'eur', unit_amount: 900, recurring: { interval: 'year' } });
    const product = await h.stripe.products.retrieve(price.product as string);
    expect(product.name).toBe('Inline');
    const inactive = await h.stripe.prices.update(price.id, { active: false });
    expect(inactive.active).toBe(false);
    expect((await h.stripe.prices.list({ active: true, product: product.id })).data).toHaveLength(0);
  });

  it('customers: create, update with customer.updated, list by email, search, paginate, delete', async () => {
    const c = await h.stripe.customers.create({ email: 'cat@example.com', name: 'Cat', metadata: { userId: 'u1' } });
    expect(c).toMatchObject({ object: 'customer', email: 'cat@example.com', name: 'Cat', livemode: false, balance: 0 });
    const updated = await h.stripe.customers.update(c.id, { name: 'Cat Two', metadata: { plan: 'x' } });
    expect(updated.metadata).toEqual({ userId: 'u1', plan: 'x' });
    const [event] = await h.events('customer.updated');
    expect(event!.data.previous_attributes).toEqual({ name: 'Cat', metadata: { userId: 'u1' } });
    expect((await h.stripe.customers.list({ email: 'cat@example.com' })).data.map((x) => x.id)).toEqual([c.id]);
    expect((await h.stripe.customers.search({ query: "metadata['userId']:'u1'" })).data.map((x) => x.id)).toEqual([c.id]);

    for (let i = 0; i < 5; i++) await h.stripe.customers.create({ email: `page${i}@example.com` });
    const page1 = await h.stripe.customers.list({ limit: 2 });
    expect(page1.has_more).toBe(true);
    const page2 = await h.stripe.customers.list({ limit: 2, starting_after: page1.data[1]!.id });
    expect(page2.data[0]!.id).not.toBe(page1.data[1]!.id);
    expect(page1.data[0]!.created).toBeGreaterThanOrEqual(page2.data[0]!.created);

    await expect(h.stripe.customers.del(c.id)).resolves.toMatchObject({ id: c.id, deleted: true });
    await expect(h.stripe.customers.retrieve(c.id)).resolves.toMatchObject({ deleted: true });
  });

  it('subscriptions created directly through the API, with a trial and metadata', async () => {
    const customer = await h.stripe.customers.create({ email: 'api@example.com' });
    const price = await h.stripe.prices.create({ product_data: { name: 'Api' }, currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' } });
    const sub = await h.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], trial_period_days: 14, metadata: { a: 'b' } });
    expect(sub).toMatchObject({ status: 'trialing', metadata: { a: 'b' }, customer: customer.id, livemode: false });
    expect(sub.items.data[0]).toMatchObject({ quantity: 2, object: 'subscription_item' });
    const withInvoice = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice', 'customer'] });
    expect((withInvoice.latest_invoice as Stripe.Invoice).total).toBe(0);
    expect((withInvoice.customer as Stripe.Customer).email).toBe('api@example.com');
  });
});
