import type { AdminAccountWarningModel } from './admin-account.model.js';

export enum AdminAccountWarningCode {
  MULTIPLE_LIVE_SUBSCRIPTIONS = 'MULTIPLE_LIVE_SUBSCRIPTIONS',
}

/** What an admin must look at on one account (the admin view's `warnings`). */
export function accountWarnings(account: { liveSubscriptionCount: number }): AdminAccountWarningModel[] {
  const warnings: AdminAccountWarningModel[] = [];
  if (account.liveSubscriptionCount > 1) {
    warnings.push({
      code: AdminAccountWarningCode.MULTIPLE_LIVE_SUBSCRIPTIONS,
      message:
        `The Stripe customer has ${account.liveSubscriptionCount} live subscriptions and may be billed for each; ` +
        'the highest-ranked one decides the plan. Cancel the extra ones in Stripe.',
    });
  }
  return warnings;
}
