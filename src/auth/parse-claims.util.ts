import type { JWTPayload } from 'jose';
import { ACCOUNT_ROLES, type AccountRole, type AuthAccount } from './auth-account.types.js';

/**
 * Turns verified JWT claims into an AuthAccount, or says what is wrong with them.
 * Non-admins need `business_id` and a `role`; admins may omit both.
 */
export function parseClaims(claims: JWTPayload): { account?: AuthAccount; error?: string } {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) return { error: 'token has no sub claim' };
  const isAdmin = claims.admin === true;
  const businessId = typeof claims.business_id === 'string' && claims.business_id.length > 0 ? claims.business_id : null;
  const rawRole = claims.role;
  const role = ACCOUNT_ROLES.includes(rawRole as AccountRole) ? (rawRole as AccountRole) : null;
  if (rawRole !== undefined && role === null) return { error: `token role must be one of ${ACCOUNT_ROLES.join(', ')}` };
  // A role is a role in a business: without one, handlers would act for nobody.
  if ((!isAdmin || role !== null) && businessId === null) return { error: 'token has no business_id claim' };
  if (!isAdmin && role === null) return { error: 'token has no role claim' };
  const email = typeof claims.email === 'string' ? claims.email : null;
  return { account: { userId: sub, email, businessId, role, isAdmin } };
}
