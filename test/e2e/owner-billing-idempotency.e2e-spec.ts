import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManualClock } from '../../src/clock/clock.js';
import { startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { CHECKOUT, ownerToken, startClockedBillingApp } from '../utils/owner-billing-helpers.js';

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

  const advanceHours = (hours: number) => {
    stripe.sim.advanceClock(hours * 3600);
    clock.set(stripe.sim.now() * 1000);
  };
  const checkout = async (key: string) => {
    const res = await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${await ownerToken(t, 'biz_ttl')}`)
      .set('idempotency-key', key)
      .send({ query: CHECKOUT, variables: { plan: 'glow_up', interval: 'MONTHLY' } });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.createCheckoutSession as { id: string; url: string };
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
});
