import type { CatalogMetric, PlanDefinition, PlanPriceIds } from './plan-catalog.types.js';
import { BillingIntervalModel, MetricKindModel, type PlanLimitModel, type PlanModel } from './plan.model.js';

export function toPlanLimitModels(limits: Record<string, number>, metrics: CatalogMetric[]): PlanLimitModel[] {
  return metrics.map((metric) => ({
    metric: metric.key,
    name: metric.name,
    limit: limits[metric.key],
    unlimited: limits[metric.key] === -1,
    kind: metric.kind === 'count' ? MetricKindModel.COUNT : MetricKindModel.PERIOD,
    period: metric.window,
  }));
}

export function toPlanModel(plan: PlanDefinition, metrics: CatalogMetric[], priceIds: PlanPriceIds): PlanModel {
  return {
    key: plan.key,
    name: plan.name,
    description: plan.description,
    sortOrder: plan.sortOrder,
    isFree: plan.isFree,
    trialDays: plan.trialDays,
    prices: [
      {
        interval: BillingIntervalModel.MONTHLY,
        amountCents: plan.prices.monthly,
        currency: plan.currency,
        stripePriceId: priceIds[plan.key]?.monthly ?? null,
      },
      {
        interval: BillingIntervalModel.YEARLY,
        amountCents: plan.prices.yearly,
        currency: plan.currency,
        stripePriceId: priceIds[plan.key]?.yearly ?? null,
      },
    ],
    limits: toPlanLimitModels(plan.limits, metrics),
    features: Object.entries(plan.features).map(([key, enabled]) => ({ key, enabled })),
  };
}
