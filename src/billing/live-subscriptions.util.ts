import { isOpenSubscriptionStatus } from '../entitlements/subscription-status.constant.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/** Ids of the customer's open subscriptions (Stripe bills each), sorted; more than one is recorded for admins. */
export function liveSubscriptionIds(subscriptions: readonly StripeSubscriptionSnapshot[]): string[] {
  return subscriptions
    .filter((subscription) => isOpenSubscriptionStatus(subscription.status))
    .map((subscription) => subscription.id)
    .sort();
}
