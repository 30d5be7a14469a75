import { subscriptionStatusRank as rank } from '../entitlements/subscription-status.constant.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/**
 * The subscription that decides the account's plan: the best-ranked status, and among equals the most
 * recently created. Null when the customer has none.
 */
export function pickCurrentSubscription<T extends Pick<StripeSubscriptionSnapshot, 'status' | 'created'>>(
  subscriptions: readonly T[],
): T | null {
  let best: T | null = null;
  for (const subscription of subscriptions) {
    if (
      !best ||
      rank(subscription.status) < rank(best.status) ||
      (rank(subscription.status) === rank(best.status) && subscription.created > best.created)
    ) {
      best = subscription;
    }
  }
  return best;
}
