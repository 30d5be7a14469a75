import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/**
 * The subscription with its price, interval and period read from the item that decides the plan:
 * the only item, or among several the one item whose price is in the catalog (add-ons and extra
 * seats are not plans). With several items and none (or more than one) in the catalog, priceId
 * is null and `ambiguousItems` set, so that resolving the plan fails with a clear reason.
 */
export function selectPlanItem(
  subscription: StripeSubscriptionSnapshot,
  isCatalogPrice: (priceId: string) => boolean,
): StripeSubscriptionSnapshot & { ambiguousItems?: string[] } {
  const items = subscription.items;
  if (items.length <= 1) return subscription;
  const inCatalog = items.filter((item) => item.priceId !== null && isCatalogPrice(item.priceId));
  if (inCatalog.length === 1) {
    const [item] = inCatalog;
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
