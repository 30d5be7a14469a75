import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { formatValidationErrors } from '../common/utils/format-validation-errors.util.js';
import { PlanCatalogDto } from './plan-catalog.dto.js';
import { UNLIMITED, type PlanCatalog } from './plan-catalog.types.js';

export interface CatalogValidationResult {
  catalog?: PlanCatalog;
  errors: string[];
}

/**
 * Checks a parsed catalog file: shape first, then the rules that span plans
 * (unique keys, every metric limited, known features, a free default plan).
 */
export function validatePlanCatalog(raw: unknown): CatalogValidationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { errors: ['catalog: must be a JSON object'] };
  }
  const dto = plainToInstance(PlanCatalogDto, raw);
  const shapeErrors = formatValidationErrors(validateSync(dto));
  if (shapeErrors.length > 0) {
    return { errors: shapeErrors };
  }

  const errors: string[] = [];
  const metricKeys = dto.metrics.map((m) => m.key);
  if (new Set(metricKeys).size !== metricKeys.length) {
    errors.push('metrics: metric keys must be unique');
  }
  dto.metrics.forEach((metric, index) => {
    if (metric.kind === 'count' && metric.window !== undefined) {
      errors.push(`metrics[${index}] (${metric.key}).window: only PERIOD metrics have a window`);
    }
  });
  const planKeys = dto.plans.map((p) => p.key);
  if (new Set(planKeys).size !== planKeys.length) {
    errors.push('plans: plan keys must be unique');
  }

  dto.plans.forEach((plan, index) => {
    const where = `plans[${index}] (${plan.key})`;
    for (const metric of metricKeys) {
      const limit = plan.limits[metric];
      if (limit === undefined) {
        errors.push(`${where}.limits.${metric}: missing; every catalog metric needs a limit (-1 = unlimited)`);
      } else if (!Number.isInteger(limit) || limit < UNLIMITED) {
        errors.push(`${where}.limits.${metric}: must be an integer >= 0, or -1 for unlimited`);
      }
    }
    for (const metric of Object.keys(plan.limits)) {
      if (!metricKeys.includes(metric)) {
        errors.push(`${where}.limits.${metric}: not a catalog metric (known: ${metricKeys.join(', ')})`);
      }
    }
    if ((plan.trialDays ?? 0) > 0 && plan.prices.monthly === 0 && plan.prices.yearly === 0) {
      errors.push(`${where}.trialDays: a free plan has nothing to try; use 0`);
    }
    for (const [feature, enabled] of Object.entries(plan.features)) {
      if (!dto.featureKeys.includes(feature)) {
        errors.push(`${where}.features.${feature}: not in featureKeys`);
      } else if (typeof enabled !== 'boolean') {
        errors.push(`${where}.features.${feature}: must be true or false`);
      }
    }
  });

  const defaultPlan = dto.plans.find((p) => p.key === dto.defaultPlan);
  if (!defaultPlan) {
    errors.push(`defaultPlan: "${dto.defaultPlan}" is not one of the plans`);
  } else if (defaultPlan.prices.monthly !== 0 || defaultPlan.prices.yearly !== 0) {
    errors.push(`defaultPlan: "${dto.defaultPlan}" must be free (both prices 0)`);
  }
  if (errors.length > 0) {
    return { errors };
  }

  return {
    errors: [],
    catalog: {
      currency: dto.currency,
      defaultPlan: dto.defaultPlan,
      metrics: dto.metrics.map((m) => ({
        key: m.key,
        name: m.name,
        kind: m.kind,
        window: m.kind === 'period' ? (m.window ?? 'month') : null,
      })),
      featureKeys: [...dto.featureKeys],
      plans: dto.plans.map((plan, index) => ({
        key: plan.key,
        name: plan.name,
        description: plan.description ?? null,
        sortOrder: index,
        currency: dto.currency,
        prices: { monthly: plan.prices.monthly, yearly: plan.prices.yearly },
        limits: { ...plan.limits },
        features: Object.fromEntries(dto.featureKeys.map((f) => [f, plan.features[f] === true])),
        active: plan.active ?? true,
        isFree: plan.prices.monthly === 0 && plan.prices.yearly === 0,
        retired: false,
        trialDays: plan.trialDays ?? 0,
      })),
    },
  };
}
