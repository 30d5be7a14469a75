import { isGraceStatus, isPayingStatus } from './subscription-status.constant.js';

export enum EntitlementSource {
  ADMIN_OVERRIDE = 'admin_override',
  SUBSCRIPTION = 'subscription',
  GRACE_PERIOD = 'grace_period',
  TRIAL = 'trial',
  DEFAULT = 'default',
}

/** The account fields that decide entitlements (a subset of billing_accounts). */
export interface EntitlementAccount {
  overridePlanKey: string | null;
  overrideUntil: Date | null;
  gracePeriodEndsAt: Date | null;
  trialStatus: 'inactive' | 'active' | 'expired' | 'converted';
  trialPlanKey: string | null;
  trialEndsAt: Date | null;
}

export interface EntitlementSubscription {
  status: string;
  planKey: string;
}

export interface EffectivePlan {
  planKey: string;
  source: EntitlementSource;
  /** Why the result is fragile, for the UI: e.g. a payment is overdue. */
  warnings: string[];
}

/**
 * Which plan applies now, in order: an admin override, a paying subscription, a past_due one
 * still inside its grace period, an app-managed trial, else the default (free) plan.
 * canceled, unpaid, incomplete, incomplete_expired and paused subscriptions give nothing.
 */
export function effectivePlan(
  account: EntitlementAccount,
  subscription: EntitlementSubscription | null,
  now: Date,
  defaultPlanKey: string,
): EffectivePlan {
  if (account.overridePlanKey && (!account.overrideUntil || account.overrideUntil > now)) {
    return { planKey: account.overridePlanKey, source: EntitlementSource.ADMIN_OVERRIDE, warnings: [] };
  }
  if (subscription && isPayingStatus(subscription.status)) {
    return { planKey: subscription.planKey, source: EntitlementSource.SUBSCRIPTION, warnings: [] };
  }
  if (subscription && isGraceStatus(subscription.status) && account.gracePeriodEndsAt && account.gracePeriodEndsAt > now) {
    return {
      planKey: subscription.planKey,
      source: EntitlementSource.GRACE_PERIOD,
      warnings: [`payment overdue: plan kept until ${account.gracePeriodEndsAt.toISOString()}`],
    };
  }
  if (account.trialStatus === 'active' && account.trialPlanKey && account.trialEndsAt && account.trialEndsAt > now) {
    return { planKey: account.trialPlanKey, source: EntitlementSource.TRIAL, warnings: [] };
  }
  const warnings = isGraceStatus(subscription?.status) ? ['payment overdue: grace period over'] : [];
  return { planKey: defaultPlanKey, source: EntitlementSource.DEFAULT, warnings };
}
