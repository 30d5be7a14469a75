import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import type { PlanDefinition } from '../plans/plan-catalog.types.js';
import { NOTIFY } from '../database/database.sql.js';
import { PgListener } from '../database/pg-listener.js';
import { PlansService } from '../plans/plans.service.js';
import { effectivePlan, type EffectivePlan, type EntitlementAccount } from './effective-plan.util.js';
import { EntitlementsCache } from './entitlements-cache.util.js';
import { ENTITLEMENTS_CHANNEL } from './entitlements.constant.js';
import { CREATE_DEFAULT_ACCOUNT, ENTITLEMENT_SNAPSHOT } from './entitlements.sql.js';

/** What entitlements depend on, read from billing_accounts (defaults when the account does not exist yet). */
export interface EntitlementSnapshot extends EntitlementAccount {
  businessId: string;
  /** The plan the subscription (or the default) names, before overrides and grace rules. */
  subscribedPlanKey: string;
  subscriptionStatus: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** Stripe's billing cycle anchor of the account's (last) subscription: usage windows step from it. */
  billingCycleAnchor: Date | null;
  /** Usage windows step from here when the business never had a subscription. */
  accountCreatedAt: Date;
}

export interface ResolvedEntitlements {
  businessId: string;
  /** The plan that applies now. */
  plan: PlanDefinition;
  effective: EffectivePlan;
  snapshot: EntitlementSnapshot;
}

interface AccountRow {
  plan_key: string;
  subscription_status: string | null;
  trial_status: EntitlementAccount['trialStatus'];
  trial_plan_key: string | null;
  trial_ends_at: Date | null;
  grace_period_ends_at: Date | null;
  override_plan_key: string | null;
  override_until: Date | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  billing_cycle_anchor: Date | null;
  created_at: Date;
}

/**
 * The plan that applies to a business, served from an in-process cache so that feature checks
 * cost no SQL. Every instance keeps its cache honest through PostgreSQL LISTEN/NOTIFY on
 * ENTITLEMENTS_CHANNEL: whoever changes an account sends the business id (or '*'), every
 * instance evicts it. The cache holds the account snapshot, not the decision: effectivePlan runs
 * on every call (microseconds), so trials, overrides and grace periods that end on their own take
 * effect on time without a notification.
 *
 * Staleness is bounded even when a notification is lost: the LISTEN connection has TCP keepalive
 * and a heartbeat (LISTENER_HEARTBEAT_MS; a deaf or dead connection reconnects and the cache is
 * dropped), and every entry is re-read after ENTITLEMENTS_CACHE_TTL_MS on the service's Clock.
 */
@Injectable()
export class EntitlementsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EntitlementsService.name);
  private readonly cache: EntitlementsCache<EntitlementSnapshot>;
  /** Until it listens nothing is cached; after a reconnect the cache starts empty, since notifications sent meanwhile were lost. */
  private readonly listener: PgListener;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    config: AppConfigService,
    private readonly clock: Clock,
  ) {
    this.cache = new EntitlementsCache((businessId) => this.loadSnapshot(businessId), {
      ttlMs: config.values.cache.entitlementsTtlMs,
      now: () => this.clock.now().getTime(),
    });
    this.listener = new PgListener({
      connectionString: config.values.databaseUrl!,
      channel: ENTITLEMENTS_CHANNEL,
      applicationName: 'billing-service-entitlements',
      logger: this.logger,
      onNotification: (payload) => this.cache.invalidate(payload || '*'),
      onListening: () => {
        this.cache.setEnabled(true);
        this.logger.log(`listening on ${ENTITLEMENTS_CHANNEL}: entitlements cached`);
      },
      onLost: () => this.cache.setEnabled(false),
      heartbeatMs: config.values.cache.listenerHeartbeatMs,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.cache.setEnabled(false);
    await this.listener.stop();
  }

  /** True while invalidations are being received, i.e. while results are cached. */
  get listening(): boolean {
    return this.listener.listening;
  }

  async get(businessId: string, now = this.clock.now()): Promise<ResolvedEntitlements> {
    const snapshot = await this.cache.get(businessId);
    return this.resolve(snapshot, now);
  }

  /**
   * Evicts one business ('*' = all) here at once and on every instance through NOTIFY. Pass the
   * manager of the transaction that changed the account: the notification is then delivered when
   * it commits (our own listener receives it too, which evicts again after the commit, closing
   * the window where this instance could re-read the old row before the commit).
   */
  async invalidate(businessId: string, manager?: EntityManager): Promise<void> {
    this.cache.invalidate(businessId);
    await (manager ?? this.dataSource).query(NOTIFY, [ENTITLEMENTS_CHANNEL, businessId]);
  }

  private resolve(snapshot: EntitlementSnapshot, now: Date): ResolvedEntitlements {
    const subscription = snapshot.subscriptionStatus
      ? { status: snapshot.subscriptionStatus, planKey: snapshot.subscribedPlanKey }
      : null;
    const effective = effectivePlan(snapshot, subscription, now, this.plans.defaultPlan().key);
    return { businessId: snapshot.businessId, plan: this.plans.get(effective.planKey), effective, snapshot };
  }

  private async loadSnapshot(businessId: string): Promise<EntitlementSnapshot> {
    const row = (await this.dataSource.query<AccountRow[]>(ENTITLEMENT_SNAPSHOT, [businessId]))[0] ?? (await this.createAccount(businessId));
    return {
      businessId,
      subscribedPlanKey: row.plan_key,
      subscriptionStatus: row.subscription_status,
      trialStatus: row.trial_status,
      trialPlanKey: row.trial_plan_key,
      trialEndsAt: row.trial_ends_at,
      gracePeriodEndsAt: row.grace_period_ends_at,
      overridePlanKey: row.override_plan_key,
      overrideUntil: row.override_until,
      currentPeriodStart: row.current_period_start,
      currentPeriodEnd: row.current_period_end,
      billingCycleAnchor: row.billing_cycle_anchor,
      accountCreatedAt: row.created_at,
    };
  }

  /**
   * A business used before anything created its account gets one now, on the default plan: its
   * creation date is what its usage windows step from, so it must be fixed once (a window
   * computed from "now" would open a fresh allowance on every call). ON CONFLICT: a concurrent
   * creation wins and is read back.
   */
  private async createAccount(businessId: string): Promise<AccountRow> {
    await this.dataSource.query(CREATE_DEFAULT_ACCOUNT, [businessId, this.plans.defaultPlan().key, this.clock.now()]);
    return (await this.dataSource.query<AccountRow[]>(ENTITLEMENT_SNAPSHOT, [businessId]))[0];
  }
}
