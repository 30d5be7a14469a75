import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { PlansService } from '../plans/plans.service.js';
import { BillingAccountEntity } from './billing-account.entity.js';
import { BillingSyncStatus } from './billing-sync-status.enum.js';
import { BillingSyncLogEntity } from './billing-sync-log.entity.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';

@Injectable()
export class BillingAccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly clock: Clock,
  ) {}

  /**
   * The caller's billing account, created on first use on the default plan. Safe under
   * concurrent first requests: the insert is ON CONFLICT DO NOTHING, and only the request that
   * inserted writes the history row. `created_at` comes from the Clock, not the database's
   * now(): usage windows of a business without a subscription step from it.
   */
  async getOrCreate(caller: AuthAccount): Promise<BillingAccountEntity> {
    const businessId = caller.businessId;
    if (!businessId) {
      throw new BillingException(BillingErrorCode.NO_BUSINESS, 'This token names no business (business_id claim)');
    }
    const existing = await this.dataSource.getRepository(BillingAccountEntity).findOneBy({ businessId });
    if (existing) return existing;

    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(BillingAccountEntity)
        .values({
          businessId,
          ownerUserId: caller.role === 'owner' ? caller.userId : null,
          billingEmail: caller.role === 'owner' ? caller.email : null,
          planKey: this.plans.defaultPlan().key,
          billingSyncStatus: BillingSyncStatus.ACCOUNT_CREATED,
          createdAt: this.clock.now(),
        })
        .orIgnore()
        .returning(['id'])
        .execute();
      if (inserted.raw.length > 0) {
        await manager.insert(BillingSyncLogEntity, {
          businessId,
          status: BillingSyncStatus.ACCOUNT_CREATED,
          source: 'system',
          detail: { createdBy: caller.userId },
        });
      }
      return manager.getRepository(BillingAccountEntity).findOneByOrFail({ businessId });
    });
  }
}
