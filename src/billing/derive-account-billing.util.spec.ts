import { describe, expect, it } from '@jest/globals';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { deriveAccountBilling, type PreviousAccountState } from './derive-account-billing.util.js';

const NOW = new Date('2026-11-21T00:00:00Z');
const START = new Date('2026-11-01T00:00:00Z');
const END = new Date('2026-12-01T00:00:00Z');

const fresh: PreviousAccountState = {
  gracePeriodEndsAt: null,
  billingCycleAnchor: null,
  trialStatus: 'inactive',
  trialStartedAt: null,
  trialEndsAt: null,
  trialConvertedAt: null,
};

const sub = (status: string, extra: Partial<StripeSubscriptionSnapshot> = {}) =>
  subscriptionSnapshot({ status, currentPeriodStart: START, currentPeriodEnd: END, ...extra });

describe('deriveAccountBilling', () => {
  it('takes the billing cycle anchor from the subscription, and keeps the last one when none is left', () => {
    const anchor = new Date('2026-03-14T10:00:00Z');
    expect(deriveAccountBilling(sub('active', { billingCycleAnchor: anchor }), 'glow_up', fresh, 'free', NOW, 7).billingCycleAnchor).toEqual(anchor);
    expect(deriveAccountBilling(null, null, { ...fresh, billingCycleAnchor: anchor }, 'free', NOW, 7).billingCycleAnchor).toEqual(anchor);
  });

  it('puts an account without subscription on the default plan', () => {
    expect(deriveAccountBilling(null, null, fresh, 'free', NOW, 7)).toMatchObject({
      planKey: 'free',
      subscriptionStatus: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
    });
  });

  it('copies plan, status, item period and cancel-at-period-end of an active subscription', () => {
    expect(deriveAccountBilling(sub('active', { cancelAtPeriodEnd: true }), 'glow_up', fresh, 'free', NOW, 7)).toMatchObject({
      planKey: 'glow_up',
      subscriptionStatus: 'active',
      currentPeriodStart: START,
      currentPeriodEnd: END,
      cancelAtPeriodEnd: true,
      gracePeriodEndsAt: null,
    });
  });

  it('falls back to the default plan once the subscription is canceled', () => {
    expect(deriveAccountBilling(sub('canceled'), 'glow_up', fresh, 'free', NOW, 7)).toMatchObject({
      planKey: 'free',
      subscriptionStatus: 'canceled',
    });
  });

  it('starts a grace period on past_due, keeps its end on later syncs, and clears it on recovery', () => {
    const first = deriveAccountBilling(sub('past_due'), 'glow_up', fresh, 'free', NOW, 7);
    expect(first.planKey).toBe('glow_up');
    expect(first.gracePeriodEndsAt).toEqual(new Date('2026-11-28T00:00:00Z'));
    const later = deriveAccountBilling(sub('past_due'), 'glow_up', { ...fresh, gracePeriodEndsAt: first.gracePeriodEndsAt }, 'free', new Date('2026-11-25T00:00:00Z'), 7);
    expect(later.gracePeriodEndsAt).toEqual(first.gracePeriodEndsAt);
    const recovered = deriveAccountBilling(sub('active'), 'glow_up', { ...fresh, gracePeriodEndsAt: first.gracePeriodEndsAt }, 'free', NOW, 7);
    expect(recovered.gracePeriodEndsAt).toBeNull();
  });

  it('tracks a Stripe trial: trialing -> active trial, paid -> converted, unpaid end -> expired', () => {
    const trialEnd = new Date('2026-12-05T00:00:00Z');
    const trialing = deriveAccountBilling(sub('trialing', { trialStart: START, trialEnd }), 'glow_up', fresh, 'free', NOW, 7);
    expect(trialing).toMatchObject({ trialStatus: 'active', trialStartedAt: START, trialEndsAt: trialEnd, planKey: 'glow_up' });

    const converted = deriveAccountBilling(sub('active'), 'glow_up', trialing, 'free', NOW, 7);
    expect(converted).toMatchObject({ trialStatus: 'converted', trialConvertedAt: NOW });
    const again = deriveAccountBilling(sub('active'), 'glow_up', converted, 'free', new Date('2027-01-01T00:00:00Z'), 7);
    expect(again.trialConvertedAt).toEqual(NOW);

    // Stripe keeps trial_start/trial_end on the subscription after the trial.
    const afterTrial = { trialStart: START, trialEnd };
    const unpaid = deriveAccountBilling(sub('past_due', afterTrial), 'glow_up', trialing, 'free', NOW, 7);
    expect(unpaid).toMatchObject({ trialStatus: 'expired', trialChange: { logStatus: 'trial_expired' } });
    expect(deriveAccountBilling(sub('canceled', afterTrial), 'glow_up', trialing, 'free', NOW, 7).trialStatus).toBe('expired');
  });

  it('gives no grace period to a subscription whose trial ended unpaid; a converted one gets it', () => {
    const trialEnd = new Date('2026-11-20T00:00:00Z');
    const stripeTrial = { ...fresh, trialStatus: 'active' as const, trialSource: 'stripe' as const, trialStartedAt: START, trialEndsAt: trialEnd };
    const pastDue = sub('past_due', { trialStart: START, trialEnd });
    expect(deriveAccountBilling(pastDue, 'glow_up', stripeTrial, 'free', NOW, 7).gracePeriodEndsAt).toBeNull();
    const converted = { ...stripeTrial, trialStatus: 'converted' as const, trialConvertedAt: trialEnd };
    expect(deriveAccountBilling(pastDue, 'glow_up', converted, 'free', NOW, 7).gracePeriodEndsAt).not.toBeNull();
  });

  it('reports the transition only when the trial changes, so replays write no second log row', () => {
    const trialing = deriveAccountBilling(sub('trialing', { trialStart: START, trialEnd: END }), 'glow_up', fresh, 'free', NOW, 7);
    expect(trialing.trialChange).toMatchObject({ logStatus: 'trial_started', trial: { source: 'stripe', planKey: 'glow_up' } });
    expect(deriveAccountBilling(sub('trialing', { trialStart: START, trialEnd: END }), 'glow_up', trialing, 'free', NOW, 7).trialChange).toBeNull();
  });

  it('leaves a card-less trial alone when a checkout is declined, and converts it on a purchase', () => {
    const cardless = { ...fresh, trialStatus: 'active' as const, trialSource: 'app' as const, trialPlanKey: 'glow_up', trialStartedAt: START, trialEndsAt: END };
    expect(deriveAccountBilling(sub('incomplete'), 'glow_up', cardless, 'free', NOW, 7)).toMatchObject({ trialStatus: 'active', trialChange: null });
    expect(deriveAccountBilling(sub('active'), 'viral_surge', cardless, 'free', NOW, 7)).toMatchObject({
      trialStatus: 'converted',
      trialConvertedAt: NOW,
      trialPlanKey: 'glow_up',
      trialChange: { logStatus: 'trial_converted' },
    });
  });

  it('is a pure function of its inputs: the same Stripe state gives the same row', () => {
    const a = deriveAccountBilling(sub('active'), 'glow_up', fresh, 'free', NOW, 7);
    const b = deriveAccountBilling(sub('active'), 'glow_up', fresh, 'free', NOW, 7);
    expect(a).toEqual(b);
  });
});
