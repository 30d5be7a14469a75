/**
 * How long after its last change a COUNT counter above its rows is left alone by an automatic
 * recount. A creation reserves (and commits the counter) before its handler inserts the row, so a
 * counter one above the rows is what every creation in flight looks like; a recount that lowered
 * it then would leave it one below once the insert commits, and the customer could go one over
 * the limit until the next run. Far longer than any request takes to insert what it reserved, so
 * a counter still above its rows after it is a reservation whose request died: what the recount
 * repairs. A refused reservation does not change the counter, so a business held at its limit by
 * such a leak is repaired at the first run once the grace has passed, however busy it is.
 */
export const RECOUNT_LOWER_GRACE_MS = 15 * 60_000;

/**
 * `immediate`: an operator's explicit repair of one business (adminRecountUsage,
 * fix-user-billing-state), which sets the counter to the rows at once. `settled`: the
 * reconciliation (verify-entitlements --fix and the scheduled run), which lowers only a counter
 * that has not changed for RECOUNT_LOWER_GRACE_MS.
 */
export type RecountPolicy = 'immediate' | 'settled';

export interface RecountInput {
  /** The locked counter's value; 0 when it has no row. */
  counter: number;
  /** The rows it counts, counted under the counter's lock. */
  actual: number;
  /** When the counter last changed (the service's Clock); null when it has no row. */
  updatedAt: Date | null;
  now: Date;
  policy: RecountPolicy;
}

export interface RecountDecision {
  /** The value to write; null: leave the counter as it is. */
  write: number | null;
  /** A counter above its rows left alone because it changed within the grace. */
  held: boolean;
}

/**
 * What a recount writes to one COUNT counter. Raising is always safe: no request leaves a counter
 * below its rows on the way (a creation reserves first, a delete gives back in its own
 * transaction), so rows above the counter are a lost count and the customer could exceed the
 * limit. Lowering follows the policy.
 */
export function decideRecount({ counter, actual, updatedAt, now, policy }: RecountInput): RecountDecision {
  if (actual === counter) return { write: null, held: false };
  if (actual > counter || policy === 'immediate') return { write: actual, held: false };
  const settled = updatedAt === null || now.getTime() - updatedAt.getTime() >= RECOUNT_LOWER_GRACE_MS;
  return settled ? { write: actual, held: false } : { write: null, held: true };
}
