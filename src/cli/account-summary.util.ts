import type { AdminBillingAccountModel } from '../admin/admin-account.model.js';
import type { Cell } from './cli-output.util.js';

/** The account fields a repair command prints after it ran. */
export function accountSummary(account: AdminBillingAccountModel): Record<string, Cell> {
  return {
    businessId: account.businessId,
    plan: account.effectivePlanKey,
    why: account.planSource,
    override: account.override ? `${account.override.planKey} until ${account.override.until?.toISOString() ?? 'revoked'}` : null,
    subscriptionStatus: account.subscriptionStatus,
    trialStatus: account.trialStatus,
    onboardingCompleted: account.onboardingCompleted,
    billingSyncStatus: account.billingSyncStatus,
    lastSyncedAt: account.lastSyncedAt,
    ...(account.warnings.length > 0 ? { warnings: account.warnings.map((w) => `${w.code}: ${w.message}`).join('; ') } : {}),
  };
}
