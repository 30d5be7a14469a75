import { isGraceStatus, isLiveStatus } from '../entitlements/subscription-status.constant.js';
import { BillingWarningCode } from './billing-account.model.js';

export interface UsageLine {
  metric: string;
  used: number;
  /** -1 = unlimited. */
  limit: number;
}

export interface WarningState {
  subscriptionStatus: string | null;
  gracePeriodEndsAt: Date | null;
  /** Only a subscription that still runs can "cancel at period end". */
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  currentPeriodEnd: Date | null;
  overLimit: UsageLine[];
}

export interface BillingWarning {
  code: BillingWarningCode;
  message: string;
  until: Date | null;
}

/** Metrics used beyond their limit: nothing is deleted, but no new use is allowed until it drops. */
export function overLimitOf(usage: readonly UsageLine[]): UsageLine[] {
  return usage
    .filter((line) => line.limit !== -1 && line.used > line.limit)
    .map(({ metric, used, limit }) => ({ metric, used, limit }));
}

/** What a billing page should warn about, most urgent first. Pure: `now` decides grace wording. */
export function billingWarnings(state: WarningState, now: Date): BillingWarning[] {
  const warnings: BillingWarning[] = [];
  if (isGraceStatus(state.subscriptionStatus)) {
    const until = state.gracePeriodEndsAt;
    warnings.push({
      code: BillingWarningCode.PAYMENT_PAST_DUE,
      message:
        until && until > now
          ? `A payment failed: update the payment method; the plan is kept until ${until.toISOString()}`
          : 'A payment failed and the grace period is over: the free plan applies until the invoice is paid',
      until,
    });
  }
  const endsAt = state.cancelAt ?? (state.cancelAtPeriodEnd ? state.currentPeriodEnd : null);
  if (isLiveStatus(state.subscriptionStatus) && (state.cancelAtPeriodEnd || state.cancelAt)) {
    warnings.push({
      code: BillingWarningCode.CANCELS_AT_PERIOD_END,
      message: endsAt
        ? `The subscription ends on ${endsAt.toISOString()}; resume it to keep the plan`
        : 'The subscription ends at the end of the period; resume it to keep the plan',
      until: endsAt,
    });
  }
  for (const line of state.overLimit) {
    warnings.push({
      code: BillingWarningCode.OVER_LIMIT,
      message: `${line.metric}: ${line.used} in use, the plan allows ${line.limit}; nothing was deleted, but new ones are refused`,
      until: null,
    });
  }
  return warnings;
}
