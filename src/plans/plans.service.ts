import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service.js';
import type { BillingInterval } from './plan-catalog.dto.js';
import type { PlanCatalog, PlanDefinition, PlanPriceIds } from './plan-catalog.types.js';
import { PlanEntity } from './plan.entity.js';
import type { PlanModel } from './plan.model.js';
import { PlansErrorCode, PlansException } from './plans.exception.js';
import { buildPriceIndex, type PricedPlan, type PriceIndex, resolvePlanByPriceId } from './price-index.util.js';
import { toPlanModel } from './to-plan-model.util.js';

/**
 * The plan catalog. The file (validated at boot) is the source; the `plans` table mirrors it so
 * that queries can join it. Lookups are served from memory.
 */
@Injectable()
export class PlansService implements OnModuleInit {
  private readonly logger = new Logger(PlansService.name);
  private readonly catalog: PlanCatalog;
  private readonly byKey: ReadonlyMap<string, PlanDefinition>;
  private priceIds: PlanPriceIds;
  private priceIndex: PriceIndex;

  constructor(
    private readonly config: AppConfigService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.catalog = config.values.catalog;
    this.byKey = new Map(this.catalog.plans.map((plan) => [plan.key, plan]));
    this.priceIds = config.values.priceIds;
    this.priceIndex = buildPriceIndex(this.priceIds);
  }

  async onModuleInit(): Promise<void> {
    await this.syncCatalogTable();
    this.logger.log(
      { plans: this.catalog.plans.map((p) => p.key), path: this.config.values.catalogPath },
      `plan catalog loaded: ${this.catalog.plans.length} plans`,
    );
  }

  get metrics() {
    return this.catalog.metrics;
  }

  get featureKeys(): string[] {
    return this.catalog.featureKeys;
  }

  /** Active plans, cheapest first as the catalog orders them. */
  list(): PlanDefinition[] {
    return this.catalog.plans.filter((plan) => plan.active);
  }

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
   * Price ids discovered at run time (the local simulator's catalog outside production).
   * Ids from the environment win over discovered ones.
   */
  async registerPriceIds(discovered: PlanPriceIds): Promise<void> {
    const merged: PlanPriceIds = {};
    for (const plan of this.catalog.plans.filter((p) => !p.isFree)) {
      merged[plan.key] = { ...discovered[plan.key], ...this.config.values.priceIds[plan.key] };
    }
    this.priceIds = merged;
    this.priceIndex = buildPriceIndex(merged);
    await this.syncCatalogTable();
  }

  private async syncCatalogTable(): Promise<void> {
    const kinds = new Map(this.catalog.metrics.map((m) => [m.key, m.kind]));
    await this.dataSource.transaction(async (manager) => {
      // Cleared first so a price id moved from one plan to another cannot trip the unique index.
      await manager.query('UPDATE plans SET stripe_monthly_price_id = NULL, stripe_yearly_price_id = NULL');
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
      await manager.query('UPDATE plans SET active = false WHERE NOT (key = ANY($1))', [
        this.catalog.plans.map((p) => p.key),
      ]);
    });
  }
}
