import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import Stripe from 'stripe';
import {
  checkout,
  settle,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';

type Step = 'upgrade' | 'downgrade' | 'fail' | 'recover' | 'cancelAtEnd' | 'resume' | 'cancelNow' | 'advance';

const DAY = 86_400;

/**
 * The oracle, written from Stripe's documentation rather than from the service's code:
 * - a subscription is "ended" once it is canceled or incomplete_expired (terminal statuses);
 *   every other status belongs to a subscription Stripe still manages;
 * - the account follows the customer's newest subscription that has not ended, or, when all
 *   have ended, the newest one;
 * - access comes with active and trialing; past_due keeps it while Stripe retries the payment
 *   (the service's grace period, days long, not over in a test run); any other status means the
 *   free plan;
 * - since API 2025-03-31.basil the billing period lives on the subscription item.
 */
interface ExpectedAccount {
  plan_key: string | null;
  subscription_status: string | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
}
function oracle(subscriptions: Stripe.Subscription[], planOfPrice: (priceId: string) => string | null): ExpectedAccount {
  const terminal = (subscription: Stripe.Subscription) => ['canceled', 'incomplete_expired'].includes(subscription.status);
  const newestFirst = [...subscriptions].sort((a, b) => b.created - a.created);
  const deciding = newestFirst.find((subscription) => !terminal(subscription)) ?? newestFirst[0];
  if (!deciding) return { plan_key: 'free', subscription_status: null, current_period_end: null, cancel_at_period_end: false };
  const item = deciding.items.data[0];
  const access = ['active', 'trialing', 'past_due'].includes(deciding.status);
  return {
    plan_key: access ? planOfPrice(item.price.id) : 'free',
    subscription_status: deciding.status,
    current_period_end: new Date(item.current_period_end * 1000),
    cancel_at_period_end: deciding.cancel_at_period_end,
  };
}

/**
 * Realistic lifecycles (checkout with or without a trial, conversion, upgrade, downgrade,
 * failed payment, recovery, cancel), each delivered with random duplicates, in shuffled order,
 * sometimes failing the first attempt. Whatever the delivery, the account must end in exactly
 * the state the simulator (Stripe) holds.
 */
describe('property: any delivery order and duplication ends in Stripe state', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let run = 0;

  beforeAll(async () => {
    stripe = await startSimulatedStripe({ deliveryRetryBaseMs: 20 });
    t = await startBillingApp(stripe);
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const planOfPrice = (priceId: string): string | null => {
    for (const [plan, byInterval] of Object.entries(stripe.prices)) {
      if (priceId === byInterval.monthly || priceId === byInterval.yearly) return plan;
    }
    return null;
  };

  const apply = async (step: Step, subscriptionId: string, customerId: string) => {
    const sdk = stripe.stripe;
    const swap = async (price: string) => {
      const subscription = await sdk.subscriptions.retrieve(subscriptionId);
      await sdk.subscriptions.update(subscriptionId, {
        items: [{ id: subscription.items.data[0].id, price }],
        proration_behavior: 'create_prorations',
      });
    };
    try {
      switch (step) {
        case 'upgrade':
          return await swap(stripe.prices.fame_flex.monthly);
        case 'downgrade':
          return await swap(stripe.prices.glow_up.monthly);
        case 'fail':
          await stripe.control(`/_sim/customers/${customerId}/payment_behavior`, { behavior: 'fail' });
          return await stripe.control('/_sim/clock/advance', { seconds: 32 * DAY });
        case 'recover':
          await stripe.control(`/_sim/customers/${customerId}/payment_behavior`, { behavior: 'succeed' });
          return await stripe.control('/_sim/clock/advance', { seconds: 4 * DAY });
        case 'cancelAtEnd':
          return await sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
        case 'resume':
          return await sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
        case 'cancelNow':
          return await sdk.subscriptions.cancel(subscriptionId);
        case 'advance':
          return await stripe.control('/_sim/clock/advance', { seconds: 32 * DAY });
      }
    } catch (error) {
      // Stripe refuses some steps in some states (e.g. updating a canceled subscription), as real
      // Stripe would; the lifecycle simply goes on.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
    }
  };

  it('matches Stripe after every lifecycle (200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          trial: fc.boolean(),
          declined: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
          yearly: fc.boolean(),
          steps: fc.array(
            fc.constantFrom<Step>('upgrade', 'downgrade', 'fail', 'recover', 'cancelAtEnd', 'resume', 'cancelNow', 'advance'),
            { maxLength: 4 },
          ),
          duplicate: fc.integer({ min: 0, max: 2 }),
          shuffle: fc.boolean(),
          failFirstAttempt: fc.boolean(),
        }),
        async (lifecycle) => {
          const businessId = `biz_prop_${run++}`;
          await stripe.control('/_sim/delivery', {
            enabled: true,
            duplicate: lifecycle.duplicate,
            shuffle: lifecycle.shuffle,
            failFirstAttempt: lifecycle.failFirstAttempt,
          });
          const price = lifecycle.yearly ? stripe.prices.viral_surge.yearly : stripe.prices.glow_up.monthly;
          const { customerId, subscriptionId } = await checkout(stripe, businessId, price, {
            trialDays: lifecycle.trial ? 7 : undefined,
            outcome: lifecycle.declined && !lifecycle.trial ? 'declined' : 'paid',
          });
          if (subscriptionId) {
            for (const step of lifecycle.steps) await apply(step, subscriptionId, customerId);
          }
          await settle(stripe, [t]);

          const subscriptions = await stripe.stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 });
          const [account] = await t.dataSource.query(
            `SELECT plan_key, subscription_status, stripe_customer_id, current_period_end, cancel_at_period_end
             FROM billing_accounts WHERE business_id = $1`,
            [businessId],
          );
          expect(account).toEqual({ ...oracle(subscriptions.data, planOfPrice), stripe_customer_id: customerId });
          const [{ unapplied }] = await t.dataSource.query(
            `SELECT count(*)::int AS unapplied FROM stripe_events WHERE customer_id = $1 AND status NOT IN ('processed', 'ignored')`,
            [customerId],
          );
          expect(unapplied).toBe(0);

          // Ended subscriptions stop renewing, so later runs' clock moves stay cheap.
          for (const subscription of subscriptions.data) {
            if (subscription.status !== 'canceled' && subscription.status !== 'incomplete_expired') {
              await stripe.stripe.subscriptions.cancel(subscription.id).catch(() => undefined);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 300_000);
});
