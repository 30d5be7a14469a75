import type { BillingInterval } from './plan-catalog.dto.js';
import type { PlanPriceIds } from './plan-catalog.types.js';
import { PlansErrorCode, PlansException } from './plans.exception.js';

export interface PricedPlan {
  planKey: string;
  interval: BillingInterval;
}

export type PriceIndex = ReadonlyMap<string, PricedPlan>;

export function buildPriceIndex(priceIds: PlanPriceIds): PriceIndex {
  const index = new Map<string, PricedPlan>();
  for (const [planKey, byInterval] of Object.entries(priceIds)) {
    for (const [interval, priceId] of Object.entries(byInterval)) {
      if (priceId) index.set(priceId, { planKey, interval: interval as BillingInterval });
    }
  }
  return index;
}

/**
 * Maps a Stripe price id to its plan. An unknown id throws: granting a fallback plan for a
 * price we cannot name would either give away a paid plan or take one from a paying customer.
 */
export function resolvePlanByPriceId(index: PriceIndex, priceId: string): PricedPlan {
  const found = index.get(priceId);
  if (!found) {
    throw new PlansException(PlansErrorCode.UNKNOWN_PRICE_ID, `Stripe price ${priceId} is not mapped to any plan`, {
      priceId,
    });
  }
  return found;
}
