import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/**
 * Statuses in which Stripe still bills, or will bill, the customer: two of them at once mean
 * the customer may pay twice. (incomplete is left out: its first invoice was never paid.)
 */
export const LIVE_SUBSCRIPTION_STATUSES: readonly string[] = ['active', 'trialing', 'past_due', 'unpaid', 'paused'];

/** Ids of the customer's live subscriptions, sorted; more than one is recorded for admins. */
export function liveSubscriptionIds(subscriptions: readonly StripeSubscriptionSnapshot[]): string[] {
  return subscriptions
    .filter((subscription) => LIVE_SUBSCRIPTION_STATUSES.includes(subscription.status))
    .map((subscription) => subscription.id)
    .sort();
}
