import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManualClock } from '../../src/clock/clock.js';
import { startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { errorCode, type TestApp } from '../utils/create-test-app.js';
import { advanceClocks, CHANGE_PLAN, CHECKOUT, ok, ownerToken, startClockedBillingApp, subscribe, type BillingView } from '../utils/owner-billing-helpers.js';

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
