import type { AuthAccount } from '../auth/auth-account.types.js';
import { EnforcementErrorCode, EnforcementException } from './enforcement.exception.js';

/** The caller's business; product usage is always counted against one. */
export function requireBusinessId(caller: AuthAccount): string {
  if (!caller.businessId) {
    throw new EnforcementException(EnforcementErrorCode.NO_BUSINESS, 'This token names no business (business_id claim)');
  }
  return caller.businessId;
}
