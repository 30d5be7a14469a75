/**
 * What each Stripe subscription status means here, defined once: billing sync, the account
 * derivation, the choice among several subscriptions and effectivePlan all read these.
 * Stripe's enum is open: a status not listed is treated as ended (gives nothing) and ranks last.
 */

/** Every known status, best first: when a customer has several subscriptions, the best-ranked decides. */
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

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUS_RANK)[number];

/** Statuses that give the subscribed plan, no questions asked. */
export const PAYING_STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>(['active', 'trialing']);

/** Statuses that keep the subscribed plan only until the account's grace period ends (PAST_DUE_GRACE_DAYS). */
export const GRACE_STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>(['past_due']);

/**
 * Statuses whose subscription still decides the account's plan (paying or in grace): its price
 * must resolve to a catalog plan. Every other status gives the default plan.
 */
export const LIVE_STATUSES: ReadonlySet<string> = new Set([...PAYING_STATUSES, ...GRACE_STATUSES]);

/**
 * Statuses in which Stripe still bills, or will bill, the customer: LIVE_STATUSES plus unpaid
 * and paused, which give the default plan but are still one subscription. A business with one
 * is refused a second checkout or a card-less trial (ALREADY_SUBSCRIBED), and two at once mean
 * the customer may pay twice. (incomplete is left out: its first invoice was never paid.)
 */
export const OPEN_SUBSCRIPTION_STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>([
  ...(LIVE_STATUSES as ReadonlySet<SubscriptionStatus>),
  'unpaid',
  'paused',
]);

/** The rank of a status (lower wins); unknown statuses rank after every known one. */
export function subscriptionStatusRank(status: string): number {
  const index = (SUBSCRIPTION_STATUS_RANK as readonly string[]).indexOf(status);
  return index === -1 ? SUBSCRIPTION_STATUS_RANK.length : index;
}

export function isPayingStatus(status: string | null | undefined): boolean {
  return !!status && PAYING_STATUSES.has(status);
}

export function isGraceStatus(status: string | null | undefined): boolean {
  return !!status && GRACE_STATUSES.has(status);
}

export function isLiveStatus(status: string | null | undefined): boolean {
  return !!status && LIVE_STATUSES.has(status);
}

export function isOpenSubscriptionStatus(status: string | null | undefined): boolean {
  return !!status && OPEN_SUBSCRIPTION_STATUSES.has(status);
}
