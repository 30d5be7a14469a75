import { EnforcementErrorCode } from './enforcement.exception.js';

/**
 * The seed system's names for a plan denial (`error`, `usage: { current, limit }`,
 * `upgrade_required`), added beside ours in REST bodies so clients written for the seed keep
 * working. Other codes get nothing extra.
 */
export function seedDenialFields(code: string, message: string, details: Record<string, unknown>): Record<string, unknown> {
  if (code === EnforcementErrorCode.PLAN_LIMIT_EXCEEDED) {
    return {
      error: message,
      usage: { current: details.used, limit: details.limit },
      upgrade_required: details.upgradeRequired === true,
    };
  }
  if (code === EnforcementErrorCode.FEATURE_NOT_IN_PLAN) {
    return { error: message, upgrade_required: details.upgradeRequired === true };
  }
  return {};
}
