import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManualClock } from '../../src/clock/clock.js';
import { settle, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { advanceClocks, billingOf, startClockedBillingApp, subscribe } from '../utils/owner-billing-helpers.js';

const DAY = 86_400;

describe('past due: warned with the grace end, free after the grace, restored after a successful payment', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let clock: ManualClock;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    // Dunning that never gives up, so the grace period (ours) decides, not Stripe's cancellation.
    await stripe.control('/_sim/settings', { finalDunningAction: 'leave_past_due' });
    ({ t, clock } = await startClockedBillingApp(stripe));
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const advance = async (seconds: number) => {
    advanceClocks(stripe, clock, seconds);
    await settle(stripe, [t]);
  };

  it('walks the whole dunning path', async () => {
    const start = await subscribe(t, stripe, 'biz_dunning', 'glow_up');
    const subscriptionId = start.subscription!.id;
    const customer = (await stripe.stripe.subscriptions.retrieve(subscriptionId)).customer as string;
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'fail' });

    // The renewal fails: past_due, plan kept, warned with the end of the grace period.
    await advance(Math.ceil((new Date(start.subscription!.currentPeriodEnd!).getTime() - clock.now().getTime()) / 1000) + 60);
    const graceEnd = new Date(clock.now().getTime() + 7 * DAY * 1000).toISOString();
    const pastDue = await billingOf(t, 'biz_dunning');
    expect(pastDue).toMatchObject({ plan: { key: 'glow_up' }, planSource: 'GRACE_PERIOD', subscription: { status: 'past_due' } });
    expect(pastDue.warnings).toEqual([{ code: 'PAYMENT_PAST_DUE', message: expect.stringContaining('kept until'), until: graceEnd }]);

    // Retries keep failing past the grace period: the free plan applies, still warned.
    await advance(8 * DAY);
    const afterGrace = await billingOf(t, 'biz_dunning');
    expect(afterGrace).toMatchObject({ plan: { key: 'free' }, planSource: 'DEFAULT', subscription: { status: 'past_due' } });
    expect(afterGrace.warnings).toEqual([{ code: 'PAYMENT_PAST_DUE', message: expect.stringContaining('grace period is over'), until: graceEnd }]);

    // The owner fixes the card and the open invoice is paid: the plan is back at once.
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'succeed' });
    const latest = (await stripe.stripe.subscriptions.retrieve(subscriptionId)).latest_invoice as string;
    await stripe.stripe.invoices.pay(latest);
    await settle(stripe, [t]);
    const restored = await billingOf(t, 'biz_dunning');
    expect(restored).toMatchObject({ plan: { key: 'glow_up' }, planSource: 'SUBSCRIPTION', subscription: { status: 'active' } });
    expect(restored.warnings).toEqual([]);
  });
});
