import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/**
 * Which of a subscription's items (given by their prices, in Stripe's order) decides the plan:
 * the only one, or among several the one whose price is in the catalog (add-ons and extra seats
 * are not plans); null when there is none, or several are plans.
 */
export function planItemIndex(priceIds: readonly (string | null)[], isCatalogPrice: (priceId: string) => boolean): number | null {
  if (priceIds.length <= 1) return priceIds.length === 1 ? 0 : null;
  const inCatalog = priceIds.flatMap((priceId, index) => (priceId !== null && isCatalogPrice(priceId) ? [index] : []));
  return inCatalog.length === 1 ? inCatalog[0] : null;
}

/**
 * The subscription with its price, interval and period read from the item that decides the plan
 * (planItemIndex). With several items and none (or more than one) in the catalog, priceId is
 * null and `ambiguousItems` set, so that resolving the plan fails with a clear reason.
 */
export function selectPlanItem(
  subscription: StripeSubscriptionSnapshot,
  isCatalogPrice: (priceId: string) => boolean,
): StripeSubscriptionSnapshot & { ambiguousItems?: string[] } {
  const items = subscription.items;
  if (items.length <= 1) return subscription;
  const index = planItemIndex(
    items.map((item) => item.priceId),
    isCatalogPrice,
  );
  if (index !== null) {
    const item = items[index];
    return {
      ...subscription,
      priceId: item.priceId,
      interval: item.interval,
      currentPeriodStart: item.currentPeriodStart,
      currentPeriodEnd: item.currentPeriodEnd,
    };
  }
  return { ...subscription, priceId: null, ambiguousItems: items.map((item) => item.priceId ?? '(none)') };
}
