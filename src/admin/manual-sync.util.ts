import type { AuthAccount } from '../auth/auth-account.types.js';

export type SyncTarget = { businessId: string; operatorSub: string } | { error: 'FORBIDDEN' | 'BAD_USER_INPUT'; message: string };

/**
 * Whose account POST /api/billing/sync-stripe syncs: an owner their own business (naming another
 * is refused), an admin any business (named in the body, or the one their token names).
 */
export function resolveSyncTarget(caller: AuthAccount, requested: string | undefined): SyncTarget {
  if (caller.isAdmin) {
    const businessId = requested ?? caller.businessId;
    if (!businessId) return { error: 'BAD_USER_INPUT', message: 'businessId is required for an admin token that names no business' };
    return { businessId, operatorSub: caller.userId };
  }
  if (caller.role !== 'owner' || !caller.businessId) {
    return { error: 'FORBIDDEN', message: 'Only the business owner (or an admin) can sync billing from Stripe' };
  }
  if (requested !== undefined && requested !== caller.businessId) {
    return { error: 'FORBIDDEN', message: 'An owner can sync only their own business' };
  }
  return { businessId: caller.businessId, operatorSub: `owner:${caller.userId}` };
}
