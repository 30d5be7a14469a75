import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/**
 * Statuses in the order they win when a customer has several subscriptions: a paying one
 * beats a failing one, which beats an ended one.
 */
export const SUBSCRIPTION_STATUS_RANK = [
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
  'canceled',
  'incomplete_expired',
] as const;

/**
 * The subscription that decides the account's plan: the best-ranked status, and among equals
 * the most recently created. Null when the customer has none.
 */
export function pickCurrentSubscription<T extends Pick<StripeSubscriptionSnapshot, 'status' | 'created'>>(
  subscriptions: readonly T[],
): T | null {
  const rank = (status: string) => {
    const index = (SUBSCRIPTION_STATUS_RANK as readonly string[]).indexOf(status);
    return index === -1 ? SUBSCRIPTION_STATUS_RANK.length : index;
  };
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
