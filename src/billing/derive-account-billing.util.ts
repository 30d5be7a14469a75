import { isGraceStatus, isLiveStatus, isPayingStatus } from '../entitlements/subscription-status.constant.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import type { TrialStatus } from './billing-account.entity.js';

/** The account fields that follow from its current Stripe subscription. */
export interface AccountBillingState {
  planKey: string;
  subscriptionStatus: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  billingCycleAnchor: Date | null;
  cancelAtPeriodEnd: boolean;
  gracePeriodEndsAt: Date | null;
  trialStatus: TrialStatus;
  trialStartedAt: Date | null;
  trialEndsAt: Date | null;
  trialConvertedAt: Date | null;
}

export type PreviousAccountState = Pick<
  AccountBillingState,
  'gracePeriodEndsAt' | 'billingCycleAnchor' | 'trialStatus' | 'trialStartedAt' | 'trialEndsAt' | 'trialConvertedAt'
>;


/**
 * Account state for the current subscription (null: the customer has none). Pure, so that
 * syncing the same Stripe state twice gives the same row: what makes replays harmless.
 *
 * - A past_due subscription keeps its plan until the grace period ends; the end is fixed the
 *   first time past_due is seen and cleared when the subscription recovers.
 * - Trials: trialing -> active; a paid subscription after a trial -> converted; a trial that
 *   ended unpaid -> expired.
 */
export function deriveAccountBilling(
  current: StripeSubscriptionSnapshot | null,
  planKey: string | null,
  previous: PreviousAccountState,
  defaultPlanKey: string,
  now: Date,
  graceDays: number,
): AccountBillingState {
  const status = current?.status ?? null;
  const paying = isLiveStatus(status);
  const base: AccountBillingState = {
    planKey: paying && planKey ? planKey : defaultPlanKey,
    subscriptionStatus: status,
    currentPeriodStart: current?.currentPeriodStart ?? null,
    currentPeriodEnd: current?.currentPeriodEnd ?? null,
    // Kept when the customer has no subscription left, so usage windows do not jump mid-window.
    billingCycleAnchor: current?.billingCycleAnchor ?? previous.billingCycleAnchor,
    cancelAtPeriodEnd: current?.cancelAtPeriodEnd ?? false,
    gracePeriodEndsAt:
      isGraceStatus(status) ? (previous.gracePeriodEndsAt ?? new Date(now.getTime() + graceDays * 86_400_000)) : null,
    trialStatus: previous.trialStatus,
    trialStartedAt: previous.trialStartedAt,
    trialEndsAt: previous.trialEndsAt,
    trialConvertedAt: previous.trialConvertedAt,
  };
  if (!current) return base;

  if (status === 'trialing') {
    return { ...base, trialStatus: 'active', trialStartedAt: current.trialStart, trialEndsAt: current.trialEnd };
  }
  const hadTrial = previous.trialStatus === 'active' || previous.trialStatus === 'expired';
  if (status === 'active' && hadTrial) {
    return { ...base, trialStatus: 'converted', trialConvertedAt: previous.trialConvertedAt ?? now };
  }
  // A trial that did not turn into a paying subscription (in grace, or ended) has expired.
  if (previous.trialStatus === 'active' && !isPayingStatus(status)) {
    return { ...base, trialStatus: 'expired' };
  }
  return base;
}
