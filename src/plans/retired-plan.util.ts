import type { CatalogMetric, PlanDefinition } from './plan-catalog.types.js';
import type { PlanEntity } from './plan.entity.js';

/**
 * A plan that left the catalog file, rebuilt from its last row in the `plans` table. Metrics and
 * features the catalog added since it was retired take the default plan's values, so a customer
 * still paying for it never gets less than a free account.
 */
export function toRetiredPlan(
  row: Pick<PlanEntity, 'key' | 'name' | 'description' | 'currency' | 'monthlyPriceCents' | 'yearlyPriceCents' | 'limits' | 'features'>,
  metrics: readonly CatalogMetric[],
  featureKeys: readonly string[],
  defaultPlan: PlanDefinition,
  sortOrder: number,
): PlanDefinition {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    sortOrder,
    currency: row.currency,
    prices: { monthly: row.monthlyPriceCents, yearly: row.yearlyPriceCents },
    limits: Object.fromEntries(metrics.map((m) => [m.key, row.limits[m.key]?.limit ?? defaultPlan.limits[m.key]])),
    features: Object.fromEntries(featureKeys.map((f) => [f, row.features[f] ?? defaultPlan.features[f]])),
    active: false,
    isFree: row.monthlyPriceCents === 0 && row.yearlyPriceCents === 0,
    trialDays: 0,
    retired: true,
  };
}
