import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { BillingService } from '../billing/billing.service.js';
import { Clock } from '../clock/clock.js';
import { effectivePlan } from '../entitlements/effective-plan.util.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { usageWindow } from '../enforcement/usage-window.util.js';
import { PlansService } from '../plans/plans.service.js';
import type {
  AdminAuditEntryModel,
  AdminBillingAccountModel,
  AdminBillingAccountPageModel,
  AdminSyncLogEntryModel,
  AdminUsageModel,
} from './admin-account.model.js';
import type { AdminBillingAccountFilterInput } from './admin-args.input.js';
import { AdminErrorCode, AdminException } from './admin.exception.js';
import {
  ACCOUNT_EVENTS,
  AUDIT_LOG,
  billingAccountPage,
  COUNT_ACCOUNTS,
  SYNC_HISTORY,
  USAGE_COUNTERS_OF_METRICS,
  WEBHOOK_STATS,
  webhookEventPage,
} from './admin.sql.js';
import type {
  AdminWebhookEventModel,
  AdminWebhookEventPageModel,
  AdminWebhookStatsModel,
} from './admin-webhook-event.model.js';
import { accountWarnings } from './account-warnings.util.js';
import { decodeCursor, encodeCursor, pageOf } from './keyset-cursor.util.js';

export interface AccountRef {
  businessId?: string;
  email?: string;
}

export interface EventListQuery {
  status?: string;
  type?: string;
  /** true: only events of Stripe customers no business owns; otherwise only owned ones. */
  unowned?: boolean | null;
  first: number;
  after?: string;
}

export interface AccountScope {
  /** Only this business. */
  businessId?: string;
  /** Only accounts linked to a Stripe customer. */
  withCustomer: boolean;
}

interface EventRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  customer_id: string | null;
  business_id: string | null;
  stripe_created_at: Date;
  received_at: Date;
  processed_at: Date | null;
  received_key: string;
  unowned: boolean;
}

/** The read side of the admin API and CLI: accounts, their history, the inbox. */
@Injectable()
export class AdminAccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly entitlements: EntitlementsService,
    private readonly plans: PlansService,
    private readonly billing: BillingService,
    private readonly clock: Clock,
  ) {}

  /** Exactly one of businessId and email; an email names the account whose billing email it is. */
  async find(ref: AccountRef): Promise<BillingAccountEntity> {
    if (!ref.businessId === !ref.email) {
      throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'Give exactly one of businessId and email');
    }
    const repository = this.dataSource.getRepository(BillingAccountEntity);
    const account = ref.businessId
      ? await repository.findOneBy({ businessId: ref.businessId })
      : await repository
          .createQueryBuilder('a')
          .where('lower(a.billing_email) = lower(:email)', { email: ref.email })
          .orderBy('a.business_id')
          .getOne();
    if (!account) {
      throw new AdminException(AdminErrorCode.ACCOUNT_NOT_FOUND, `No billing account for ${ref.businessId ?? ref.email}`, { ...ref });
    }
    return account;
  }

  async view(ref: AccountRef): Promise<AdminBillingAccountModel> {
    return this.toView(await this.find(ref));
  }

  toView(account: BillingAccountEntity): AdminBillingAccountModel {
    const subscription = account.subscriptionStatus ? { status: account.subscriptionStatus, planKey: account.planKey } : null;
    const effective = effectivePlan(account, subscription, this.clock.now(), this.plans.defaultPlan().key);
    return {
      businessId: account.businessId,
      ownerUserId: account.ownerUserId,
      billingEmail: account.billingEmail,
      stripeCustomerId: account.stripeCustomerId,
      effectivePlanKey: effective.planKey,
      planSource: effective.source,
      subscribedPlanKey: account.planKey,
      subscriptionStatus: account.subscriptionStatus,
      currentPeriodStart: account.currentPeriodStart,
      currentPeriodEnd: account.currentPeriodEnd,
      cancelAtPeriodEnd: account.cancelAtPeriodEnd,
      gracePeriodEndsAt: account.gracePeriodEndsAt,
      trialStatus: account.trialStatus,
      trialPlanKey: account.trialPlanKey,
      trialEndsAt: account.trialEndsAt,
      billingSyncStatus: account.billingSyncStatus,
      lastSyncedAt: account.lastSyncedAt,
      liveSubscriptionCount: account.liveSubscriptionCount,
      warnings: accountWarnings(account),
      override: account.overridePlanKey
        ? {
            planKey: account.overridePlanKey,
            until: account.overrideUntil,
            reason: account.overrideReason,
            grantedBy: account.overrideGrantedBy,
          }
        : null,
      onboardingCompleted: account.onboardingCompletedAt !== null,
      onboardingCompletedAt: account.onboardingCompletedAt,
      createdAt: account.createdAt,
    };
  }

  /** What the owner sees (the `billing` query), computed by the billing module itself. */
  async ownerView(businessId: string): Promise<BillingAccountModel> {
    return this.billing.getOverview({ userId: 'admin', email: null, businessId, role: null, isAdmin: true });
  }

  /** Usage against the limits of the plan that applies now, every catalog metric. */
  async usage(businessId: string): Promise<AdminUsageModel[]> {
    const now = this.clock.now();
    const { plan, snapshot } = await this.entitlements.get(businessId, now);
    const keys = this.plans.metrics.map((metric) => ({ metric, periodStart: usageWindow(metric, snapshot, now).start }));
    const rows: { metric: string; period_start: Date; used: number }[] = await this.dataSource.query(USAGE_COUNTERS_OF_METRICS, [
      businessId,
      keys.map((key) => key.metric.key),
    ]);
    return keys.map(({ metric, periodStart }) => {
      const used = rows.find((row) => row.metric === metric.key && row.period_start.getTime() === periodStart.getTime())?.used ?? 0;
      const limit = plan.limits[metric.key];
      return { metric: metric.key, kind: metric.kind, used, limit, overLimit: limit !== -1 && used > limit };
    });
  }

  async syncHistory(businessId: string, first: number): Promise<AdminSyncLogEntryModel[]> {
    const rows: { status: string; source: string; event_id: string | null; detail: object | null; created_at: Date }[] =
      await this.dataSource.query(SYNC_HISTORY, [businessId, first]);
    return rows.map((row) => ({
      status: row.status,
      source: row.source,
      eventId: row.event_id,
      detail: row.detail ? JSON.stringify(row.detail) : null,
      createdAt: row.created_at,
    }));
  }

  async auditLog(businessId: string, first: number): Promise<AdminAuditEntryModel[]> {
    const rows: {
      admin_sub: string;
      action: string;
      target: string | null;
      reason: string | null;
      before: object | null;
      after: object | null;
      created_at: Date;
    }[] = await this.dataSource.query(AUDIT_LOG, [businessId, first]);
    return rows.map((row) => ({
      adminSub: row.admin_sub,
      action: row.action,
      target: row.target,
      reason: row.reason,
      before: row.before ? JSON.stringify(row.before) : null,
      after: row.after ? JSON.stringify(row.after) : null,
      createdAt: row.created_at,
    }));
  }

  /**
   * Events of one account (by business, or by its customer before the business was resolved),
   * newest first; only those in `statuses` when given (filtered in SQL, so an old pending event
   * is not hidden behind many newer processed ones).
   */
  async accountEvents(
    account: { businessId: string; stripeCustomerId: string | null },
    first: number,
    statuses?: readonly string[],
  ): Promise<AdminWebhookEventModel[]> {
    const rows: EventRow[] = await this.dataSource.query(ACCOUNT_EVENTS, [
      account.businessId,
      account.stripeCustomerId,
      statuses ? [...statuses] : null,
      first,
    ]);
    return rows.map(toEventModel);
  }

  async listEvents(query: EventListQuery): Promise<AdminWebhookEventPageModel> {
    const after = query.after ? decodeCursor(query.after, 2) : null;
    if (query.after && !after) throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'after: not a cursor of this list');
    const { text, params } = webhookEventPage({ ...query, after });
    const rows: EventRow[] = await this.dataSource.query(text, params);
    const { nodes, hasNextPage } = pageOf(rows, query.first);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map(toEventModel),
      pageInfo: { hasNextPage, endCursor: last ? encodeCursor([last.received_key, last.id]) : null },
    };
  }

  async webhookStats(): Promise<AdminWebhookStatsModel> {
    const [row] = await this.dataSource.query(WEBHOOK_STATS);
    const oldest = row.oldest as Date | null;
    return {
      pending: row.pending,
      failed: row.failed,
      processed: row.processed,
      ignored: row.ignored,
      dead: row.dead,
      deadUnowned: row.dead_unowned,
      oldestPendingAgeSeconds: oldest ? Math.max(0, (this.clock.now().getTime() - oldest.getTime()) / 1000) : 0,
    };
  }

  async countAccounts(scope: AccountScope): Promise<number> {
    const [row] = await this.dataSource.query(COUNT_ACCOUNTS, [scope.withCustomer, scope.businessId ?? null]);
    return row.n;
  }

  /** Accounts in keyset batches of 100 by business id, so a large base is never loaded at once. */
  async *streamAccounts(scope: AccountScope): AsyncGenerator<BillingAccountEntity[]> {
    let after = '';
    for (;;) {
      const query = this.dataSource
        .getRepository(BillingAccountEntity)
        .createQueryBuilder('a')
        .where('a.business_id > :after', { after })
        .orderBy('a.business_id')
        .limit(100);
      if (scope.withCustomer) query.andWhere('a.stripe_customer_id IS NOT NULL');
      if (scope.businessId) query.andWhere('a.business_id = :businessId', { businessId: scope.businessId });
      const batch = await query.getMany();
      if (batch.length === 0) return;
      yield batch;
      after = batch.at(-1)!.businessId;
    }
  }

  /** Keyset pages by business id (the SQL: billingAccountPage in admin.sql.ts). */
  async list(filter: AdminBillingAccountFilterInput, first: number, after?: string): Promise<AdminBillingAccountPageModel> {
    const key = after ? decodeCursor(after, 1) : null;
    if (after && !key) throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'after: not a cursor of this list');
    const { text, params } = billingAccountPage(filter, first, key, {
      now: this.clock.now(),
      defaultPlanKey: this.plans.defaultPlan().key,
    });
    const ids: { business_id: string }[] = await this.dataSource.query(text, params);
    const { nodes, hasNextPage } = pageOf(ids, first);
    const accounts = nodes.length
      ? await this.dataSource
          .getRepository(BillingAccountEntity)
          .createQueryBuilder('a')
          .where('a.business_id IN (:...ids)', { ids: nodes.map((row) => row.business_id) })
          .orderBy('a.business_id')
          .getMany()
      : [];
    const last = nodes.at(-1);
    return {
      nodes: accounts.map((account) => this.toView(account)),
      pageInfo: { hasNextPage, endCursor: last ? encodeCursor([last.business_id]) : null },
    };
  }
}

function toEventModel(row: EventRow): AdminWebhookEventModel {
  const open = row.status === 'pending' || row.status === 'failed';
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: open ? row.next_attempt_at : null,
    lastError: row.last_error,
    customerId: row.customer_id,
    businessId: row.business_id,
    unowned: row.unowned,
    stripeCreatedAt: row.stripe_created_at,
    receivedAt: row.received_at,
    processedAt: row.processed_at,
  };
}
