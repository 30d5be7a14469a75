import { describe, expect, it } from '@jest/globals';
import { subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import { resolveSubscriptionPlan } from './resolve-subscription-plan.util.js';

const sub = (priceId: string | null, metadata: Record<string, string> = {}) => subscriptionSnapshot({ priceId, metadata });
const isPlanKey = (key: string) => ['free', 'glow_up', 'fame_flex'].includes(key);
const planForPrice = (priceId: string) => {
  if (priceId === 'price_glow') return 'glow_up';
  throw new Error(`unknown price ${priceId}`);
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as BillingException).code;
  }
  return undefined;
};

describe('resolveSubscriptionPlan', () => {
  it('uses metadata.plan, then metadata.planId, over the price', () => {
    expect(resolveSubscriptionPlan(sub('price_glow', { plan: 'fame_flex' }), isPlanKey, planForPrice)).toBe('fame_flex');
    expect(resolveSubscriptionPlan(sub('price_glow', { planId: 'fame_flex' }), isPlanKey, planForPrice)).toBe('fame_flex');
  });

  it('maps the price when no plan is pinned in metadata (planKey is informational only)', () => {
    expect(resolveSubscriptionPlan(sub('price_glow', { planKey: 'fame_flex' }), isPlanKey, planForPrice)).toBe('glow_up');
  });

  it('throws for a plan in metadata the catalog lacks', () => {
    expect(codeOf(() => resolveSubscriptionPlan(sub('price_glow', { plan: 'gold' }), isPlanKey, planForPrice))).toBe(
      BillingErrorCode.UNKNOWN_PLAN_IN_METADATA,
    );
  });

  it('throws for an unknown price instead of picking a fallback plan', () => {
    expect(() => resolveSubscriptionPlan(sub('price_unknown'), isPlanKey, planForPrice)).toThrow('unknown price price_unknown');
  });

  it('throws for a subscription without a price', () => {
    expect(codeOf(() => resolveSubscriptionPlan(sub(null), isPlanKey, planForPrice))).toBe(BillingErrorCode.SUBSCRIPTION_WITHOUT_PRICE);
    expect(new BillingException(BillingErrorCode.SUBSCRIPTION_WITHOUT_PRICE, 'x')).toBeInstanceOf(BillingException);
  });
});

describe('resolveSubscriptionPlan with several items', () => {
  it('fails clearly, naming the prices, when not exactly one item is a catalog plan', () => {
    const ambiguous = { ...sub(null), ambiguousItems: ['price_addon', 'price_other'] };
    expect(codeOf(() => resolveSubscriptionPlan(ambiguous, isPlanKey, planForPrice))).toBe(BillingErrorCode.NO_CATALOG_ITEM);
    expect(() => resolveSubscriptionPlan(ambiguous, isPlanKey, planForPrice)).toThrow(/price_addon, price_other/);
  });
});
