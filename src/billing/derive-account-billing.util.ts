import { isGraceStatus, isLiveStatus } from '../entitlements/subscription-status.constant.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { trialColumns } from '../trials/trial-columns.util.js';
import { transitionTrial, trialEventForSubscription } from '../trials/trial-transition.util.js';
import type { TrialLogStatus, TrialSource, TrialState } from '../trials/trial.types.js';
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
  trialSource: TrialSource;
  trialPlanKey: string | null;
  trialStartedAt: Date | null;
  trialEndsAt: Date | null;
  trialConvertedAt: Date | null;
}

export type PreviousAccountState = Pick<
  AccountBillingState,
  'gracePeriodEndsAt' | 'billingCycleAnchor' | 'trialStatus' | 'trialStartedAt' | 'trialEndsAt' | 'trialConvertedAt'
> &
  Partial<Pick<AccountBillingState, 'trialSource' | 'trialPlanKey'>>;

/** The trial transition this sync made (the trial's new state and the log row it writes), if any. */
export interface TrialChange {
  logStatus: TrialLogStatus;
  trial: TrialState;
}

/**
 * Account state for the current subscription (null: the customer has none). Pure, so that
 * syncing the same Stripe state twice gives the same row: what makes replays harmless.
 *
 * - A past_due subscription keeps its plan until the grace period ends; the end is fixed the
 *   first time past_due is seen and cleared when the subscription recovers. A subscription
 *   whose trial just ended unpaid gets no grace: nothing was ever paid.
 * - Trials are decided by the trials module's transitionTrial (trialing starts one, a paid
 *   subscription converts it, an unpaid end expires it); `trialChange` says what it did.
 */
export function deriveAccountBilling(
  current: StripeSubscriptionSnapshot | null,
  planKey: string | null,
  previous: PreviousAccountState,
  defaultPlanKey: string,
  now: Date,
  graceDays: number,
): AccountBillingState & { trialChange: TrialChange | null } {
  const status = current?.status ?? null;
  const paying = isLiveStatus(status);

  const before: TrialState = {
    status: previous.trialStatus,
    source: previous.trialSource ?? 'app',
    planKey: previous.trialPlanKey ?? null,
    startDate: previous.trialStartedAt,
    endDate: previous.trialEndsAt,
    conversionDate: previous.trialConvertedAt,
  };
  const event = trialEventForSubscription(current, paying ? planKey : null, now);
  const decision = event ? transitionTrial(before, event) : null;
  const trial = decision?.ok ? decision.state : before;
  const trialChange = decision?.ok && decision.logStatus ? { logStatus: decision.logStatus, trial } : null;

  return {
    planKey: paying && planKey ? planKey : defaultPlanKey,
    subscriptionStatus: status,
    currentPeriodStart: current?.currentPeriodStart ?? null,
    currentPeriodEnd: current?.currentPeriodEnd ?? null,
    // Kept when the customer has no subscription left, so usage windows do not jump mid-window.
    billingCycleAnchor: current?.billingCycleAnchor ?? previous.billingCycleAnchor,
    cancelAtPeriodEnd: current?.cancelAtPeriodEnd ?? false,
    gracePeriodEndsAt:
      isGraceStatus(status) && trial.status !== 'expired'
        ? (previous.gracePeriodEndsAt ?? new Date(now.getTime() + graceDays * 86_400_000))
        : null,
    ...trialColumns(trial),
    trialChange,
  };
}
