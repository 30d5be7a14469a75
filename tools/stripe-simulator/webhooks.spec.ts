import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { SimHarness, TEST_WEBHOOK_SECRET } from './testing/harness.js';
import { WebhookReceiver } from './testing/webhook-receiver.js';
import type { DeliveryAttempt } from './core/delivery.js';

describe('webhook delivery', () => {
  let h: SimHarness;

  beforeAll(async () => {
    h = await SimHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.control('/reset');
    h.receiver.clear();
    h.receiver.status = () => 200;
  });
  afterEach(async () => {
    await h.control('/idle', undefined, 'GET');
  });

  const idle = (): Promise<unknown> => h.control('/idle', undefined, 'GET');
  const deliveries = async (): Promise<DeliveryAttempt[]> => (await h.control<{ data: DeliveryAttempt[] }>('/deliveries', undefined, 'GET')).data;

  it('delivers every event of a checkout, each signed so that constructEvent accepts it', async () => {
    const { monthly } = await h.plan('Hooks', 1500);
    await h.subscribe(monthly.id, { trialDays: 3 });
    await idle();
    const listed = (await h.stripe.events.list({ limit: 100 })).data;
    expect(h.receiver.received.length).toBe(listed.length);
    const ids = new Set<string>();
    for (const webhook of h.receiver.received) {
      const event = h.stripe.webhooks.constructEvent(webhook.body, webhook.signature, TEST_WEBHOOK_SECRET);
      expect(event.api_version).toBe('2026-10-28.endive');
      expect(event.livemode).toBe(false);
      ids.add(event.id);
    }
    expect(ids).toEqual(new Set(listed.map((e) => e.id)));
    expect(() => h.stripe.webhooks.constructEvent(h.receiver.received[0]!.body, h.receiver.received[0]!.signature, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    // Short trial: trial_will_end fires at once, as Stripe does when fewer than three days remain.
    expect(h.receiver.types()).toContain('customer.subscription.trial_will_end');
    expect(h.receiver.types()).toContain('checkout.session.completed');
  });

  it('retries non-2xx answers with backoff and re-signs each attempt', async () => {
    h.receiver.status = (_w, index) => (index < 2 ? 500 : 200);
    const started = Date.now();
    await h.stripe.customers.create({ email: 'retry@example.com' });
    await idle();
    expect(h.receiver.received).toHaveLength(3);
    for (const w of h.receiver.received) expect(() => h.stripe.webhooks.constructEvent(w.body, w.signature, TEST_WEBHOOK_SECRET)).not.toThrow();
    const attempts = await deliveries();
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 500, 'failed'],
      [3, 200, 'delivered'],
    ]);
    expect(attempts[0]).toMatchObject({ type: 'customer.created', endpoint: h.receiver.url });
    // 20 ms then 40 ms with the harness's retryBaseMs.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it('gives up after the configured number of attempts', async () => {
    h.receiver.status = () => 503;
    await h.stripe.customers.create({ email: 'down@example.com' });
    await idle();
    expect(h.receiver.received).toHaveLength(6);
    expect((await deliveries()).every((a) => a.outcome === 'failed')).toBe(true);
  });

  it('webhook endpoints: create returns a secret, list hides it, each endpoint gets its own signature and events', async () => {
    const other = await new WebhookReceiver().start();
    try {
      const endpoint = await h.stripe.webhookEndpoints.create({ url: other.url, enabled_events: ['customer.subscription.created', 'invoice.paid'] });
      expect(endpoint.secret).toMatch(/^whsec_/);
      const list = await h.stripe.webhookEndpoints.list();
      expect(list.data.map((e) => e.id)).toContain(endpoint.id);
      expect(list.data.every((e) => e.secret === undefined)).toBe(true);

      const { monthly } = await h.plan('Endpoints', 900);
      await h.subscribe(monthly.id);
      await idle();
      const types = other.types();
      expect(types.length).toBeGreaterThan(0);
      expect(new Set(types)).toEqual(new Set(['customer.subscription.created', 'invoice.paid']));
      for (const w of other.received) expect(() => h.stripe.webhooks.constructEvent(w.body, w.signature, endpoint.secret!)).not.toThrow();

      await expect(h.stripe.webhookEndpoints.del(endpoint.id)).resolves.toMatchObject({ deleted: true });
      other.clear();
      await h.stripe.customers.create({ email: 'after-delete@example.com' });
      await idle();
      expect(other.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('chaos: disabled delivery drops events but still lists them', async () => {
    await h.control('/delivery', { enabled: false });
    const customer = await h.stripe.customers.create({ email: 'dropped@example.com' });
    await idle();
    expect(h.receiver.received).toHaveLength(0);
    expect((await deliveries()).map((a) => a.outcome)).toEqual(['dropped']);
    const [event] = await h.events('customer.created');
    expect((event!.data.object as Stripe.Customer).id).toBe(customer.id);
  });

  it('chaos: duplicate sends extra copies of the same event', async () => {
    await h.control('/delivery', { duplicate: 2 });
    await h.stripe.customers.create({ email: 'dup@example.com' });
    await idle();
    expect(h.receiver.received).toHaveLength(3);
    const ids = h.receiver.received.map((w) => (JSON.parse(w.body) as Stripe.Event).id);
    expect(new Set(ids).size).toBe(1);
  });

  it('chaos: failFirstAttempt makes every delivery need a retry', async () => {
    await h.control('/delivery', { failFirstAttempt: true });
    await h.stripe.customers.create({ email: 'flaky@example.com' });
    await idle();
    expect(h.receiver.received).toHaveLength(1);
    expect((await deliveries()).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'simulated_failure'],
      [2, 'delivered'],
    ]);
  });

  it('chaos: delayMs holds deliveries back and shuffle reorders a batch', async () => {
    await h.control('/delivery', { delayMs: 300, shuffle: true });
    const started = Date.now();
    const created: string[] = [];
    for (let i = 0; i < 12; i++) created.push((await h.stripe.customers.create({ email: `shuffle${i}@example.com` })).id);
    expect(h.receiver.received).toHaveLength(0);
    await idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const order = h.receiver.received.map((w) => ((JSON.parse(w.body) as Stripe.Event).data.object as Stripe.Customer).id);
    expect([...order].sort()).toEqual([...created].sort());
    // 12! orders: the chance of the creation order coming back unchanged is negligible.
    expect(order).not.toEqual(created);
  });

  it('lists events by type (with wildcards) and created range, and retrieves one', async () => {
    const { monthly } = await h.plan('Events', 1200);
    const from = await h.now();
    const { subscription } = await h.subscribe(monthly.id);
    const subEvents = await h.stripe.events.list({ type: 'customer.subscription.*' });
    expect(subEvents.data.length).toBeGreaterThan(0);
    expect(subEvents.data.every((e) => e.type.startsWith('customer.subscription.'))).toBe(true);
    const recent = await h.stripe.events.list({ created: { gte: from }, limit: 100 });
    expect(recent.data.every((e) => e.created >= from)).toBe(true);
    const one = await h.stripe.events.retrieve(subEvents.data[0]!.id);
    expect(one.id).toBe(subEvents.data[0]!.id);
    expect((one.data.object as Stripe.Subscription).id).toBe(subscription!.id);
    const all: string[] = [];
    for await (const e of h.stripe.events.list({ limit: 3 })) all.push(e.id);
    expect(all.length).toBe((await h.stripe.events.list({ limit: 100 })).data.length);
  });

  it('previous_attributes on customer.subscription.updated carry the old values', async () => {
    const { monthly } = await h.plan('Prev', 800);
    const { subscription } = await h.subscribe(monthly.id);
    await h.stripe.subscriptions.update(subscription!.id, { metadata: { plan: 'changed' } });
    const [updated] = await h.events('customer.subscription.updated');
    expect(updated!.data.previous_attributes).toEqual({ metadata: { userId: 'user_1' } });
    expect((updated!.data.object as Stripe.Subscription).metadata).toEqual({ userId: 'user_1', plan: 'changed' });
  });
});
