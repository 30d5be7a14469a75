import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import type { BillingSyncSource } from '../billing/billing-sync-log.entity.js';
import { BillingSyncLogEntity } from '../billing/billing-sync-log.entity.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import { BillingSyncService } from '../billing/billing-sync.service.js';
import { Clock } from '../clock/clock.js';
import { lockStripeCustomer } from '../database/customer-lock.util.js';
import { SELECT_USED } from '../enforcement/enforcement.sql.js';
import { decideRecount, type RecountPolicy } from '../enforcement/usage-recount.util.js';
import { COUNT_METRIC_PERIOD_START } from '../enforcement/usage-window.util.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { PlansService } from '../plans/plans.service.js';
import { saveTrialChange } from '../trials/record-trial-change.util.js';
import { trialStateOf } from '../trials/trial-columns.util.js';
import { transitionTrial, TrialRefusal } from '../trials/trial-transition.util.js';
import { WebhookInboxService } from '../webhooks/webhook-inbox.service.js';
import { AdminAuditLogEntity } from './admin-audit-log.entity.js';
import { AdminErrorCode, AdminException } from './admin.exception.js';
import { COUNT_SOURCES, deadLettersToReplay, LOCK_EVENT_FOR_REPLAY, LOCK_USAGE_COUNTER, SET_USAGE_COUNTER } from './admin.sql.js';
import type { UsageDrift } from './reconcile-summary.util.js';
import { splitCountMetrics } from './recountable-metrics.util.js';

/** Who is acting: an admin token's sub, `cli:<user>` for an operator, `system:<job>` for a job. */
export interface Operator {
  sub: string;
}

/** How a sync is recorded: billingSyncStatus and the history row's source. */
export interface SyncIntent {
  status: BillingSyncStatus;
  source: BillingSyncSource;
}

export const ADMIN_SYNC: SyncIntent = { status: BillingSyncStatus.ADMIN_REPAIR, source: 'admin' };

export interface RecountResult {
  metric: string;
  before: number;
  after: number;
  /** A counter above its rows left as it is: it changed too recently (policy `settled`, decideRecount). */
  held: boolean;
}

export interface ReplayResult {
  eventIds: string[];
}

/** Whose dead letters to replay: one business's, or (without one) the owned or the unowned ones. */
export interface DeadLetterScope {
  businessId: string | null;
  /** Only with no businessId: the dead letters of Stripe customers no business owns. */
  unowned: boolean;
}

/**
 * Every repair of an account, shared by the admin API, the CLI and the reconciliation job. Each
 * runs in ONE transaction that also writes its admin_audit_log row (who, why, before, after),
 * so a change without its audit row cannot exist.
 */
@Injectable()
export class AdminRepairService {
  private readonly logger = new Logger(AdminRepairService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly billingSync: BillingSyncService,
    private readonly entitlements: EntitlementsService,
    private readonly inbox: WebhookInboxService,
    private readonly plans: PlansService,
    private readonly clock: Clock,
  ) {}

  /**
   * Re-reads the account's customer from Stripe. No customer: the account comes back unchanged
   * (with an audit row saying so, and no history row: billingSyncStatus does not change).
   */
  async syncFromStripe(
    operator: Operator,
    businessId: string,
    reason: string | null,
    intent: SyncIntent = ADMIN_SYNC,
  ): Promise<BillingAccountEntity> {
    const account = await this.dataSource.getRepository(BillingAccountEntity).findOneBy({ businessId });
    if (!account) throw new AdminException(AdminErrorCode.ACCOUNT_NOT_FOUND, `No billing account for ${businessId}`, { businessId });
    if (!account.stripeCustomerId) {
      return this.change(operator, 'sync_from_stripe', businessId, reason, null, async () => ({ noStripeCustomer: true }));
    }
    return this.syncAudited(operator, 'sync_from_stripe', account, reason, null, intent);
  }

  /**
   * A sync from Stripe whose audit row (and `alsoApply`, our own writes) go in the transaction
   * that applies the result, so they exist if and only if the sync committed. Stripe is read
   * with no lock held (BillingSyncService.syncFromStripe). The `before` of the audit row is read
   * before that, outside the lock: SyncContext offers no hook before the apply, and the version
   * check of the sync only guarantees that no other sync committed after Stripe was read.
   */
  private async syncAudited(
    operator: Operator,
    action: string,
    before: BillingAccountEntity,
    reason: string | null,
    target: string | null,
    intent: SyncIntent,
    alsoApply?: (manager: EntityManager) => Promise<void>,
  ): Promise<BillingAccountEntity> {
    const { businessId } = before;
    let after: BillingAccountEntity | null = null;
    await this.billingSync.syncFromStripe(before.stripeCustomerId!, {
      status: intent.status,
      source: intent.source,
      entries: [{ eventId: null, status: intent.status }],
      afterApply: async (manager) => {
        await alsoApply?.(manager);
        after = await manager.getRepository(BillingAccountEntity).findOneByOrFail({ businessId });
        await this.audit(manager, operator, action, businessId, target, reason, snapshot(before), snapshot(after));
      },
    });
    return after!;
  }

  async grantPlan(
    operator: Operator,
    businessId: string,
    planKey: string,
    until: Date | null,
    reason: string,
  ): Promise<BillingAccountEntity> {
    this.requirePlan(planKey);
    if (until && until <= this.clock.now()) {
      throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'until must be in the future');
    }
    return this.change(operator, 'grant_plan', businessId, reason, planKey, async (manager) => {
      await manager.update(
        BillingAccountEntity,
        { businessId },
        { overridePlanKey: planKey, overrideUntil: until, overrideReason: reason, overrideGrantedBy: operator.sub },
      );
      await this.markRepaired(manager, businessId, { action: 'grant_plan', planKey, until, by: operator.sub });
      return null;
    });
  }

  async revokePlanGrant(operator: Operator, businessId: string, reason: string): Promise<BillingAccountEntity> {
    return this.change(operator, 'revoke_plan_grant', businessId, reason, null, async (manager, account) => {
      if (!account.overridePlanKey) {
        throw new AdminException(AdminErrorCode.NOT_APPLICABLE, `Business ${businessId} has no plan grant to revoke`, { businessId });
      }
      await manager.update(
        BillingAccountEntity,
        { businessId },
        { overridePlanKey: null, overrideUntil: null, overrideReason: null, overrideGrantedBy: null },
      );
      await this.markRepaired(manager, businessId, { action: 'revoke_plan_grant', by: operator.sub });
      return null;
    });
  }

  /**
   * Moves the end of an app-managed trial through the trials state machine (`extend`: active or
   * expired -> active, a later end), so it writes the trial_extended log row and clears the
   * reminder marker like every trial change. A Stripe-run trial is refused: Stripe's trial_end
   * would come back with the next sync (change it in Stripe instead).
   */
  async extendTrial(operator: Operator, businessId: string, until: Date, reason: string): Promise<BillingAccountEntity> {
    const now = this.clock.now();
    if (until <= now) throw new AdminException(AdminErrorCode.BAD_USER_INPUT, 'until must be in the future');
    return this.change(operator, 'extend_trial', businessId, reason, null, async (manager, account) => {
      const decision = transitionTrial(trialStateOf(account), { type: 'extend', at: now, endDate: until });
      if (!decision.ok) {
        throw new AdminException(
          decision.refusal === TrialRefusal.NOT_LATER ? AdminErrorCode.BAD_USER_INPUT : AdminErrorCode.NOT_APPLICABLE,
          `Cannot extend the trial of ${businessId}: ${decision.message}`,
          { businessId, trialStatus: account.trialStatus, trialSource: account.trialSource, refusal: decision.refusal },
        );
      }
      await saveTrialChange(manager, {
        businessId,
        change: { logStatus: decision.logStatus ?? 'trial_extended', trial: decision.state },
        source: 'admin',
        at: now,
        detail: { by: operator.sub, reason, previousEndDate: account.trialEndsAt, previousStatus: account.trialStatus },
      });
      await this.entitlements.invalidate(businessId, manager);
      return null;
    });
  }

  /**
   * Sets each COUNT metric's counter to what exists in the product tables, in one transaction:
   * the repair for a reservation whose request died before it created (or released) anything.
   * `immediate` (an operator's repair of one business) lowers at once; `settled` (the
   * reconciliation) raises at once but lowers only a counter unchanged for the grace, since a
   * counter one above its rows is also a creation in flight (decideRecount).
   */
  async recountUsage(
    operator: Operator,
    businessId: string,
    reason: string | null,
    policy: RecountPolicy = 'immediate',
  ): Promise<RecountResult[]> {
    const results: RecountResult[] = [];
    const { recountable, notRecountable } = this.countMetrics();
    if (notRecountable.length > 0) {
      this.logger.warn({ businessId, notRecountable }, 'COUNT metrics without a count source are left as they are by the recount');
    }
    await this.change(operator, 'recount_usage', businessId, reason, null, async (manager) => {
      const now = this.clock.now();
      for (const metric of recountable) {
        // The row lock waits for any reservation statement in flight on this counter.
        const [current] = (await manager.query(LOCK_USAGE_COUNTER, [businessId, metric, COUNT_METRIC_PERIOD_START])) as {
          used: number;
          updated_at: Date;
        }[];
        const [{ n }] = await manager.query(COUNT_SOURCES[metric], [businessId]);
        const before = current?.used ?? 0;
        const { write, held } = decideRecount({ counter: before, actual: n, updatedAt: current?.updated_at ?? null, now, policy });
        if (write !== null) await manager.query(SET_USAGE_COUNTER, [businessId, metric, COUNT_METRIC_PERIOD_START, write, now]);
        results.push({ metric, before, after: write ?? before, held });
      }
      return {
        usage: Object.fromEntries(results.map((r) => [r.metric, { before: r.before, after: r.after, ...(r.held ? { held: true } : {}) }])),
        ...(notRecountable.length > 0 ? { notRecountable } : {}),
      };
    });
    return results;
  }

  /** COUNT metrics of the catalog that a recount cannot count (no source in COUNT_SOURCES). */
  notRecountableMetrics(): string[] {
    return this.countMetrics().notRecountable;
  }

  /** COUNT counters that differ from the product rows they count (read only). */
  async usageDrifts(businessId: string): Promise<UsageDrift[]> {
    const drifts: UsageDrift[] = [];
    for (const metric of this.countMetrics().recountable) {
      const [counted] = await this.dataSource.query(COUNT_SOURCES[metric], [businessId]);
      const [stored] = await this.dataSource.query(SELECT_USED, [businessId, metric, COUNT_METRIC_PERIOD_START]);
      const counter = stored?.used ?? 0;
      if (counter !== counted.n) drifts.push({ metric, counter, actual: counted.n });
    }
    return drifts;
  }

  /**
   * Marks onboarding done, then grants `planKey`, or (without one) syncs the plan from Stripe:
   * either way one transaction for our writes with one audit row (with a customer, the
   * transaction that applies the sync; Stripe is read before it).
   */
  async completeOnboarding(
    operator: Operator,
    businessId: string,
    planKey: string | null,
    reason: string | null,
  ): Promise<BillingAccountEntity> {
    if (planKey) this.requirePlan(planKey);
    const account = await this.dataSource.getRepository(BillingAccountEntity).findOneBy({ businessId });
    if (!account) throw new AdminException(AdminErrorCode.ACCOUNT_NOT_FOUND, `No billing account for ${businessId}`, { businessId });
    const markDone = async (manager: EntityManager) => {
      await manager.update(
        BillingAccountEntity,
        { businessId, onboardingCompletedAt: IsNull() },
        { onboardingCompletedAt: this.clock.now() },
      );
    };
    if (!planKey && account.stripeCustomerId) {
      return this.syncAudited(operator, 'complete_onboarding', account, reason, null, ADMIN_SYNC, markDone);
    }
    return this.change(operator, 'complete_onboarding', businessId, reason, planKey, async (manager) => {
      await markDone(manager);
      if (planKey) {
        await manager.update(
          BillingAccountEntity,
          { businessId },
          {
            overridePlanKey: planKey,
            overrideUntil: null,
            overrideReason: reason ?? 'onboarding completed',
            overrideGrantedBy: operator.sub,
          },
        );
        await this.markRepaired(manager, businessId, { action: 'complete_onboarding', planKey, by: operator.sub });
      } else {
        await this.markRepaired(manager, businessId, { action: 'complete_onboarding', by: operator.sub });
      }
      return null;
    });
  }

  /** Puts one event back in the queue. Returns the business it belongs to, when one does. */
  async replayEvent(operator: Operator, eventId: string, reason: string | null): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const [event] = await manager.query(LOCK_EVENT_FOR_REPLAY, [eventId]);
      if (!event) throw new AdminException(AdminErrorCode.EVENT_NOT_FOUND, `No webhook event ${eventId}`, { eventId });
      await this.inbox.replay(eventId, manager);
      await this.audit(manager, operator, 'replay_webhook_event', event.business_id, eventId, reason,
        { status: event.status, attempts: event.attempts, lastError: event.last_error }, { status: 'pending', attempts: 0 });
      return event.business_id as string | null;
    });
  }

  /**
   * Replays the dead letters of one business, or without one every owned dead letter; those of
   * Stripe customers no business owns only when asked for (`unowned`), so a bulk replay never
   * re-runs events that will only fail again until someone links their customer.
   */
  async replayDeadLetters(operator: Operator, scope: DeadLetterScope, reason: string | null): Promise<ReplayResult> {
    if (scope.businessId && scope.unowned) {
      throw new AdminException(
        AdminErrorCode.BAD_USER_INPUT,
        'Give a businessId or unowned, not both: the dead letters of a business are never unowned',
      );
    }
    const { text, params } = deadLettersToReplay(scope);
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string }[] = await manager.query(text, params);
      for (const row of rows) await this.inbox.replay(row.id, manager);
      const eventIds = rows.map((row) => row.id);
      await this.audit(manager, operator, 'replay_dead_letters', scope.businessId, scope.unowned ? 'unowned' : null, reason,
        { dead: eventIds }, { replayed: eventIds });
      return { eventIds };
    });
  }

  /**
   * Runs a change of one account in a transaction: the customer's advisory lock first (the order
   * the webhook worker takes them in, so the two never deadlock), then the account row, the
   * change, and the audit row with the state before and after.
   */
  private async change(
    operator: Operator,
    action: string,
    businessId: string,
    reason: string | null,
    target: string | null,
    apply: (manager: EntityManager, account: BillingAccountEntity) => Promise<Record<string, unknown> | null>,
  ): Promise<BillingAccountEntity> {
    return this.dataSource.transaction(async (manager) => {
      const accounts = manager.getRepository(BillingAccountEntity);
      const unlocked = await accounts.findOneBy({ businessId });
      if (!unlocked) {
        throw new AdminException(AdminErrorCode.ACCOUNT_NOT_FOUND, `No billing account for ${businessId}`, { businessId });
      }
      if (unlocked.stripeCustomerId) await lockStripeCustomer(manager, unlocked.stripeCustomerId);
      const before = await accounts.findOneOrFail({ where: { businessId }, lock: { mode: 'pessimistic_write' } });
      const extra = await apply(manager, before);
      const after = await accounts.findOneByOrFail({ businessId });
      await this.audit(manager, operator, action, businessId, target, reason, snapshot(before), { ...snapshot(after), ...extra });
      return after;
    });
  }

  /** billingSyncStatus = admin_repair with its history row, and every instance's cache evicted. */
  private async markRepaired(manager: EntityManager, businessId: string, detail: Record<string, unknown>): Promise<void> {
    await manager.update(BillingAccountEntity, { businessId }, { billingSyncStatus: BillingSyncStatus.ADMIN_REPAIR });
    await manager.insert(BillingSyncLogEntity, {
      businessId,
      status: BillingSyncStatus.ADMIN_REPAIR,
      source: 'admin',
      eventId: null,
      detail,
    });
    await this.entitlements.invalidate(businessId, manager);
  }

  private async audit(
    manager: EntityManager,
    operator: Operator,
    action: string,
    businessId: string | null,
    target: string | null,
    reason: string | null,
    before: object | null,
    after: object | null,
  ): Promise<void> {
    await manager.insert(AdminAuditLogEntity, {
      adminSub: operator.sub,
      action,
      businessId,
      target,
      reason,
      before,
      after,
      createdAt: this.clock.now(),
    });
  }

  private countMetrics(): { recountable: string[]; notRecountable: string[] } {
    return splitCountMetrics(this.plans.metrics, (metric) => metric in COUNT_SOURCES);
  }

  private requirePlan(planKey: string): void {
    if (!this.plans.has(planKey)) {
      throw new AdminException(AdminErrorCode.UNKNOWN_PLAN, `Unknown plan "${planKey}"`, {
        planKey,
        plans: this.plans.list().map((plan) => plan.key),
      });
    }
  }
}

/** The account fields an audit row keeps before and after a change. */
function snapshot(account: BillingAccountEntity): Record<string, unknown> {
  return {
    planKey: account.planKey,
    subscriptionStatus: account.subscriptionStatus,
    currentPeriodEnd: account.currentPeriodEnd,
    cancelAtPeriodEnd: account.cancelAtPeriodEnd,
    trialStatus: account.trialStatus,
    trialPlanKey: account.trialPlanKey,
    trialEndsAt: account.trialEndsAt,
    override: account.overridePlanKey
      ? { planKey: account.overridePlanKey, until: account.overrideUntil, reason: account.overrideReason, grantedBy: account.overrideGrantedBy }
      : null,
    onboardingCompletedAt: account.onboardingCompletedAt,
    billingSyncStatus: account.billingSyncStatus,
    lastSyncedAt: account.lastSyncedAt,
  };
}
