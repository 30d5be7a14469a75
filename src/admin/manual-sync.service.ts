import { Injectable } from '@nestjs/common';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { AuthErrorCode, AuthException } from '../auth/auth.exception.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminRepairService } from './admin-repair.service.js';
import { AdminErrorCode, AdminException } from './admin.exception.js';
import { resolveSyncTarget } from './manual-sync.util.js';

/**
 * POST /api/billing/sync-stripe, the seed's manual sync: who may sync whose account is decided
 * by resolveSyncTarget (owners their own business, admins any). It is decided here rather than
 * in a guard because it depends on the validated body, and guards run before validation.
 */
@Injectable()
export class ManualSyncService {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
  ) {}

  /** Syncs the caller's target from Stripe and answers what its owner now sees. */
  async sync(caller: AuthAccount, requested: string | undefined): Promise<BillingAccountModel> {
    const target = resolveSyncTarget(caller, requested);
    if ('error' in target) {
      if (target.error === 'FORBIDDEN') throw new AuthException(AuthErrorCode.FORBIDDEN, target.message);
      throw new AdminException(AdminErrorCode.BAD_USER_INPUT, target.message);
    }
    await this.repair.syncFromStripe({ sub: target.operatorSub }, target.businessId, 'manual sync (POST /api/billing/sync-stripe)', {
      status: BillingSyncStatus.MANUAL_SYNC,
      source: caller.isAdmin ? 'admin' : 'manual',
    });
    return this.accounts.ownerView(target.businessId);
  }
}
