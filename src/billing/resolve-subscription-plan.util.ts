import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';

/** Subscription metadata keys an operator may set to pin a plan (e.g. a custom-priced deal). */
export const PLAN_METADATA_KEYS = ['plan', 'planId'] as const;

/**
 * The plan a subscription pays for: `metadata.plan` / `metadata.planId` when an operator set
 * one, else the price id through the catalog's price map. Anything unknown throws (and the
 * event is retried, then dead-lettered): never a fallback plan.
 */
export function resolveSubscriptionPlan(
  subscription: StripeSubscriptionSnapshot & { ambiguousItems?: string[] },
  isPlanKey: (key: string) => boolean,
  planForPrice: (priceId: string) => string,
): string {
  for (const key of PLAN_METADATA_KEYS) {
    const value = subscription.metadata[key];
    if (value) {
      if (!isPlanKey(value)) {
        throw new BillingException(
          BillingErrorCode.UNKNOWN_PLAN_IN_METADATA,
          `Subscription ${subscription.id} names plan "${value}" in metadata.${key}, which the catalog does not have`,
          { subscriptionId: subscription.id, planKey: value },
        );
      }
      return value;
    }
  }
  if (!subscription.priceId && subscription.ambiguousItems) {
    throw new BillingException(
      BillingErrorCode.NO_CATALOG_ITEM,
      `Subscription ${subscription.id} has ${subscription.ambiguousItems.length} items (${subscription.ambiguousItems.join(', ')}) and not exactly one of their prices is a catalog plan`,
      { subscriptionId: subscription.id, priceIds: subscription.ambiguousItems },
    );
  }
  if (!subscription.priceId) {
    throw new BillingException(BillingErrorCode.SUBSCRIPTION_WITHOUT_PRICE, `Subscription ${subscription.id} has no price`, {
      subscriptionId: subscription.id,
    });
  }
  return planForPrice(subscription.priceId);
}
