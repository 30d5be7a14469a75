import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { BillingService } from '../billing/billing.service.js';
import { Clock } from '../clock/clock.js';
import { effectivePlan } from '../entitlements/effective-plan.util.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { GRACE_STATUSES, PAYING_STATUSES } from '../entitlements/subscription-status.constant.js';
import { usageWindow } from '../enforcement/usage-window.util.js';
import { DEAD_LETTER_SQL, UNOWNED_EVENT_SQL } from '../metrics/inbox-health.service.js';
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

const EVENT_COLUMNS = `e.id, e.type, e.status, e.attempts, e.next_attempt_at, e.last_error, e.customer_id, e.business_id,
  e.stripe_created_at, e.received_at, e.processed_at, e.received_at::text AS received_key, ${UNOWNED_EVENT_SQL} AS unowned`;

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
    const rows: { metric: string; period_start: Date; used: number }[] = await this.dataSource.query(
      `SELECT metric, period_start, used FROM usage_counters WHERE business_id = $1 AND metric = ANY($2)`,
      [businessId, keys.map((key) => key.metric.key)],
    );
    return keys.map(({ metric, periodStart }) => {
      const used = rows.find((row) => row.metric === metric.key && row.period_start.getTime() === periodStart.getTime())?.used ?? 0;
      const limit = plan.limits[metric.key];
      return { metric: metric.key, kind: metric.kind, used, limit, overLimit: limit !== -1 && used > limit };
    });
  }

  async syncHistory(businessId: string, first: number): Promise<AdminSyncLogEntryModel[]> {
    const rows: { status: string; source: string; event_id: string | null; detail: object | null; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT status, source, event_id, detail, created_at FROM billing_sync_log
          WHERE business_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [businessId, first],
      );
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
    }[] = await this.dataSource.query(
      `SELECT admin_sub, action, target, reason, before, after, created_at FROM admin_audit_log
        WHERE business_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [businessId, first],
    );
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
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM stripe_events e
        WHERE (e.business_id = $1 OR ($2::text IS NOT NULL AND e.customer_id = $2))
          AND ($3::text[] IS NULL OR e.status = ANY($3))
        ORDER BY e.received_at DESC, e.id DESC LIMIT $4`,
      [account.businessId, account.stripeCustomerId, statuses ? [...statuses] : null, first],
    );
    return rows.map(toEventModel);
  }

  async listEvents(query: EventListQuery): Promise<AdminWebhookEventPageModel> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.status) where.push(`e.status = ${param(query.status)}`);
    if (query.type) where.push(`e.type = ${param(query.type)}`);
    // Owned and unowned are never mixed: a flood of unowned dead letters must not hide real ones.
    where.push(query.unowned === true ? UNOWNED_EVENT_SQL : `NOT ${UNOWNED_EVENT_SQL}`);
    if (query.after) {
      const key = decodeCursor(query.after, 2);
      if (!key) throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'after: not a cursor of this list');
      where.push(`(e.received_at, e.id) < (${param(key[0])}::timestamptz, ${param(key[1])})`);
    }
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM stripe_events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.received_at DESC, e.id DESC LIMIT ${param(query.first + 1)}`,
      params,
    );
    const { nodes, hasNextPage } = pageOf(rows, query.first);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map(toEventModel),
      pageInfo: { hasNextPage, endCursor: last ? encodeCursor([last.received_key, last.id]) : null },
    };
  }

  async webhookStats(): Promise<AdminWebhookStatsModel> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE e.status = 'pending')::int AS pending,
              count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
              count(*) FILTER (WHERE e.status = 'processed')::int AS processed,
              count(*) FILTER (WHERE e.status = 'ignored')::int AS ignored,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND NOT ${UNOWNED_EVENT_SQL})::int AS dead,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND ${UNOWNED_EVENT_SQL})::int AS dead_unowned,
              min(e.received_at) FILTER (WHERE e.status IN ('pending', 'failed')) AS oldest
         FROM stripe_events e`,
    );
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
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM billing_accounts
        WHERE ($1::boolean IS FALSE OR stripe_customer_id IS NOT NULL) AND ($2::text IS NULL OR business_id = $2)`,
      [scope.withCustomer, scope.businessId ?? null],
    );
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

  /** Keyset pages by business id. The plan filter mirrors effectivePlan's order in SQL, on the same status sets. */
  async list(filter: AdminBillingAccountFilterInput, first: number, after?: string): Promise<AdminBillingAccountPageModel> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const effectivePlanSql = () => {
      const now = param(this.clock.now());
      return `(CASE
      WHEN a.override_plan_key IS NOT NULL AND (a.override_until IS NULL OR a.override_until > ${now}::timestamptz) THEN a.override_plan_key
      WHEN a.subscription_status = ANY(${param([...PAYING_STATUSES])}::text[]) THEN a.plan_key
      WHEN a.subscription_status = ANY(${param([...GRACE_STATUSES])}::text[]) AND a.grace_period_ends_at > ${now}::timestamptz THEN a.plan_key
      WHEN a.trial_status = 'active' AND a.trial_plan_key IS NOT NULL AND a.trial_ends_at > ${now}::timestamptz THEN a.trial_plan_key
      ELSE ${param(this.plans.defaultPlan().key)} END)`;
    };
    if (filter.billingSyncStatus) where.push(`a.billing_sync_status = ${param(filter.billingSyncStatus)}`);
    if (filter.planKey) where.push(`${effectivePlanSql()} = ${param(filter.planKey)}`);
    if (filter.subscriptionStatus) where.push(`a.subscription_status = ${param(filter.subscriptionStatus)}`);
    if (filter.trialStatus) where.push(`a.trial_status = ${param(filter.trialStatus)}`);
    if (filter.email) {
      where.push(`a.billing_email ILIKE ${param(`%${filter.email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    }
    if (filter.syncedBefore) where.push(`(a.last_synced_at IS NULL OR a.last_synced_at < ${param(filter.syncedBefore)})`);
    if (filter.hasDeadLetters !== undefined) {
      where.push(`${filter.hasDeadLetters ? '' : 'NOT '}EXISTS (SELECT 1 FROM stripe_events e WHERE ${DEAD_LETTER_SQL}
        AND (e.business_id = a.business_id OR (a.stripe_customer_id IS NOT NULL AND e.customer_id = a.stripe_customer_id)))`);
    }
    if (filter.overLimit !== undefined) {
      where.push(`${filter.overLimit ? '' : 'NOT '}EXISTS (SELECT 1 FROM usage_counters u JOIN plans p ON p.key = ${effectivePlanSql()}
        WHERE u.business_id = a.business_id AND p.limits -> u.metric ->> 'kind' = 'count'
          AND (p.limits -> u.metric ->> 'limit')::int <> -1 AND u.used > (p.limits -> u.metric ->> 'limit')::int)`);
    }
    if (after) {
      const key = decodeCursor(after, 1);
      if (!key) throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'after: not a cursor of this list');
      where.push(`a.business_id > ${param(key[0])}`);
    }
    const ids: { business_id: string }[] = await this.dataSource.query(
      `SELECT a.business_id FROM billing_accounts a ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.business_id LIMIT ${param(first + 1)}`,
      params,
    );
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
