import { SECONDS_PER_DAY } from './periods.js';

/** What happens once every retry of a renewal has failed (Stripe's "subscription status" billing setting). */
export type FinalDunningAction = 'cancel' | 'mark_unpaid' | 'leave_past_due';

/**
 * Days after the first failed renewal at which the payment is retried. Stripe's Smart Retries
 * pick their own times within a window; a fixed schedule keeps tests predictable.
 */
export const DEFAULT_RETRY_DAYS: readonly number[] = [3, 5, 7];

export type DunningDecision =
  | { status: 'past_due'; nextAttemptAt: number }
  | { status: 'canceled' | 'unpaid' | 'past_due'; nextAttemptAt: null; exhausted: true };

/**
 * Status after the `failedAttempts`-th failed attempt on a renewal invoice whose first attempt
 * failed at `firstFailureAt`.
 */
export function afterFailedAttempt(
  failedAttempts: number,
  firstFailureAt: number,
  retryDays: readonly number[],
  finalAction: FinalDunningAction,
): DunningDecision {
  const retryIndex = failedAttempts - 1;
  const nextDay = retryDays[retryIndex];
  if (nextDay !== undefined) return { status: 'past_due', nextAttemptAt: firstFailureAt + nextDay * SECONDS_PER_DAY };
  const status = finalAction === 'cancel' ? 'canceled' : finalAction === 'mark_unpaid' ? 'unpaid' : 'past_due';
  return { status, nextAttemptAt: null, exhausted: true };
}
