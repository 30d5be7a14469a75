import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { SimHarness } from './testing/harness.js';
import { simulatorStripeConfig, startStripeSimulator } from './index.js';
import { IdempotencyCache } from './http/idempotency.js';

describe('control routes and instance isolation', () => {
  let h: SimHarness;

  beforeAll(async () => {
    h = await SimHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('reset forgets objects, events and the clock but keeps the default endpoint', async () => {
    const customer = await h.stripe.customers.create({ email: 'gone@example.com' });
    await h.advance(86_400);
    expect((await h.now()) - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(86_399);
    await h.control('/reset');
    await expect(h.stripe.customers.retrieve(customer.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await h.stripe.events.list()).data).toHaveLength(0);
    expect(Math.abs((await h.now()) - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1);
    expect((await h.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([h.sim.defaultWebhookEndpointId]);
  });

  it('validates control input', async () => {
    await expect(h.control('/clock/advance', { seconds: -5 })).rejects.toThrow('400');
    await expect(h.control('/customers/cus_missing/payment_behavior', { behavior: 'fail' })).rejects.toThrow('404');
    await expect(h.control('/checkout_sessions/cs_missing/complete', { outcome: 'paid' })).rejects.toThrow('resource_missing');
    await expect(h.control('/settings', { finalDunningAction: 'explode' })).rejects.toThrow('400');
  });

  it('a completed session cannot be completed twice', async () => {
    const { monthly } = await h.plan('Twice', 100);
    const { session } = await h.subscribe(monthly.id);
    await expect(h.control(`/checkout_sessions/${session.id}/complete`, { outcome: 'paid' })).rejects.toThrow('400');
  });

  it('runs several simulators in one process without shared state', async () => {
    const other = await startStripeSimulator();
    try {
      const stripe2 = new Stripe('sk_test_other', simulatorStripeConfig(other.url));
      const c = await stripe2.customers.create({ email: 'isolated@example.com' });
      await expect(h.stripe.customers.retrieve(c.id)).rejects.toMatchObject({ statusCode: 404 });
      other.advanceClock(10 * 86_400);
      expect(other.now() - (await h.now())).toBeGreaterThanOrEqual(10 * 86_400 - 1);
      await other.idle();
    } finally {
      await other.close();
    }
  });

  it('the idempotency cache replays, rejects mismatches and stays bounded', () => {
    const cache = new IdempotencyCache(2);
    cache.save('a', 'fp-a', 200, '{"a":1}', 0);
    expect(cache.lookup('a', 'fp-a', 0)).toMatchObject({ status: 200 });
    expect(() => cache.lookup('a', 'fp-other', 0)).toThrow('same parameters');
    cache.save('b', 'fp-b', 200, '{}', 0);
    cache.save('c', 'fp-c', 200, '{}', 0);
    expect(cache.lookup('a', 'fp-a', 0)).toBeNull();
    cache.save('d', 'fp-d', 500, '{}', 0);
    expect(cache.lookup('d', 'fp-d', 0)).toBeNull();
  });
});
