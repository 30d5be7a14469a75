import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service.js';
import type { BillingInterval } from './plan-catalog.dto.js';
import type { PlanCatalog, PlanDefinition, PlanPriceIds } from './plan-catalog.types.js';
import { PlanEntity } from './plan.entity.js';
import type { PlanModel } from './plan.model.js';
import { PlansErrorCode, PlansException } from './plans.exception.js';
import { CLEAR_PRICE_IDS, PLANS_IN_USE_NOT_IN, RETIRE_PLANS_NOT_IN } from './plans.sql.js';
import { buildPriceIndex, type PricedPlan, type PriceIndex, resolvePlanByPriceId } from './price-index.util.js';
import { toRetiredPlan } from './retired-plan.util.js';
import { toPlanModel } from './to-plan-model.util.js';

/**
 * The plan catalog. The file (validated at boot) is the source; the `plans` table mirrors it so
 * that queries can join it. Lookups are served from memory.
 *
 * A plan removed from the file is retired, not forgotten: its last row in `plans` is loaded at
 * boot with its limits, features and Stripe price ids, so accounts still on it (and renewals of
 * its price) keep working. It is never listed or sold.
 */
@Injectable()
export class PlansService implements OnModuleInit {
  private readonly logger = new Logger(PlansService.name);
  private readonly catalog: PlanCatalog;
  private readonly byKey = new Map<string, PlanDefinition>();
  private priceIds: PlanPriceIds;
  /** Price ids of retired plans, as last stored: renewals of those prices still resolve. */
  private retiredPriceIds: PlanPriceIds = {};
  private priceIndex: PriceIndex;

  constructor(
    private readonly config: AppConfigService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.catalog = config.values.catalog;
    for (const plan of this.catalog.plans) this.byKey.set(plan.key, plan);
    this.priceIds = config.values.priceIds;
    this.priceIndex = this.buildIndex();
  }

  async onModuleInit(): Promise<void> {
    await this.loadRetiredPlans();
    await this.syncCatalogTable();
    this.logger.log(
      { plans: this.catalog.plans.map((p) => p.key), path: this.config.values.catalogPath },
      `plan catalog loaded: ${this.catalog.plans.length} plans`,
    );
    await this.reportPlansInUseNotInCatalog();
  }

  get metrics() {
    return this.catalog.metrics;
  }

  get featureKeys(): string[] {
    return this.catalog.featureKeys;
  }

  /** Active plans, cheapest first as the catalog orders them (never retired ones). */
  list(): PlanDefinition[] {
    return this.catalog.plans.filter((plan) => plan.active);
  }

  /** Catalog and retired plans: every plan an account may be on. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): PlanDefinition {
    const plan = this.byKey.get(key);
    if (!plan) throw new PlansException(PlansErrorCode.UNKNOWN_PLAN, `No plan "${key}"`, { planKey: key });
    return plan;
  }

  defaultPlan(): PlanDefinition {
    return this.get(this.catalog.defaultPlan);
  }

  toModel(plan: PlanDefinition): PlanModel {
    return toPlanModel(plan, this.catalog.metrics, this.priceIds);
  }

  priceIdFor(planKey: string, interval: BillingInterval): string | undefined {
    return this.priceIds[planKey]?.[interval];
  }

  /** Throws UNKNOWN_PRICE_ID: never a fallback plan. */
  resolvePriceId(priceId: string): PricedPlan {
    return resolvePlanByPriceId(this.priceIndex, priceId);
  }

  /**
   * Whether resolvePriceId knows the price (a catalog or retired plan's): what tells a plan item
   * from an add-on. A lookup, not a try/catch around resolvePriceId: it runs for every item.
   */
  isCatalogPrice(priceId: string): boolean {
    return this.priceIndex.has(priceId);
  }

  /**
   * Price ids discovered at run time (the local simulator's catalog outside production).
   * Ids from the environment win over discovered ones.
   */
  async registerPriceIds(discovered: PlanPriceIds): Promise<void> {
    const merged: PlanPriceIds = {};
    for (const plan of this.catalog.plans.filter((p) => !p.isFree)) {
      merged[plan.key] = { ...discovered[plan.key], ...this.config.values.priceIds[plan.key] };
    }
    this.priceIds = merged;
    this.priceIndex = this.buildIndex();
    await this.syncCatalogTable();
  }

  /** Catalog prices win over a retired plan's stored price when both name the same id. */
  private buildIndex(): PriceIndex {
    return buildPriceIndex({ ...this.retiredPriceIds, ...this.priceIds });
  }

  /** Plans in the table but no longer in the file: kept loaded, inactive, with their last definition. */
  private async loadRetiredPlans(): Promise<void> {
    const catalogKeys = this.catalog.plans.map((p) => p.key);
    const rows = await this.dataSource
      .getRepository(PlanEntity)
      .createQueryBuilder('plan')
      .where('NOT (plan.key = ANY(:keys))', { keys: catalogKeys })
      .orderBy('plan.sort_order')
      .getMany();
    const defaultPlan = this.defaultPlan();
    rows.forEach((row, index) => {
      const plan = toRetiredPlan(row, this.catalog.metrics, this.catalog.featureKeys, defaultPlan, this.catalog.plans.length + index);
      this.byKey.set(plan.key, plan);
      const stored = { monthly: row.stripeMonthlyPriceId ?? undefined, yearly: row.stripeYearlyPriceId ?? undefined };
      this.retiredPriceIds[plan.key] = Object.fromEntries(Object.entries(stored).filter(([, id]) => id !== undefined));
    });
    this.priceIndex = this.buildIndex();
    if (rows.length > 0) {
      this.logger.log({ retired: rows.map((r) => r.key) }, `retired plans kept for accounts still on them: ${rows.map((r) => r.key).join(', ')}`);
    }
  }

  /**
   * Plan keys that accounts or subscriptions reference but the catalog file lacks: retired ones
   * still work (warn, so someone decides their future); unknown ones cannot (error).
   */
  private async reportPlansInUseNotInCatalog(): Promise<void> {
    const rows: { plan_key: string; accounts: number }[] = await this.dataSource.query(PLANS_IN_USE_NOT_IN, [
      this.catalog.plans.map((p) => p.key),
    ]);
    for (const { plan_key: planKey, accounts } of rows) {
      if (this.byKey.has(planKey)) {
        this.logger.warn({ planKey, accounts }, `plan "${planKey}" is not in the catalog but ${accounts} account(s) use it: kept as a retired plan`);
      } else {
        this.logger.error({ planKey, accounts }, `plan "${planKey}" is used by ${accounts} account(s) but has no definition at all`);
      }
    }
  }

  private async syncCatalogTable(): Promise<void> {
    const kinds = new Map(this.catalog.metrics.map((m) => [m.key, m.kind]));
    await this.dataSource.transaction(async (manager) => {
      // Cleared first so a price id moved from one plan to another cannot trip the unique index.
      // A retired plan keeps its ids (renewals of its prices must still resolve) unless a catalog
      // plan now uses one of them.
      const catalogPriceIds = Object.values(this.priceIds).flatMap((byInterval) => Object.values(byInterval));
      await manager.query(CLEAR_PRICE_IDS, [this.catalog.plans.map((p) => p.key), catalogPriceIds]);
      await manager.upsert(
        PlanEntity,
        this.catalog.plans.map((plan) => ({
          key: plan.key,
          name: plan.name,
          description: plan.description,
          sortOrder: plan.sortOrder,
          currency: plan.currency,
          monthlyPriceCents: plan.prices.monthly,
          yearlyPriceCents: plan.prices.yearly,
          stripeMonthlyPriceId: this.priceIds[plan.key]?.monthly ?? null,
          stripeYearlyPriceId: this.priceIds[plan.key]?.yearly ?? null,
          limits: Object.fromEntries(
            Object.entries(plan.limits).map(([metric, limit]) => [metric, { limit, kind: kinds.get(metric)! }]),
          ),
          features: plan.features,
          active: plan.active,
        })),
        ['key'],
      );
      // Plans removed from the file stay (accounts may still reference them) but are no longer sold.
      await manager.query(RETIRE_PLANS_NOT_IN, [this.catalog.plans.map((p) => p.key)]);
    });
  }
}
