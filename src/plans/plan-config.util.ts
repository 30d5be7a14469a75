import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigSection } from '../config/app-config.types.js';
import { ENVIRONMENT_HINTS } from '../config/environment-variables.js';
import { BILLING_INTERVALS } from './plan-catalog.dto.js';
import type { PlanCatalog, PlanPriceIds } from './plan-catalog.types.js';
import { validatePlanCatalog } from './validate-plan-catalog.util.js';

declare module '../config/app-config.types.js' {
  interface AppConfig {
    /** Absolute path of the catalog file read at boot (PLAN_CATALOG_PATH). */
    catalogPath: string;
    catalog: PlanCatalog;
    priceIds: PlanPriceIds;
  }
}

export function priceIdVariable(planKey: string, interval: string): string {
  return `STRIPE_${planKey.toUpperCase()}_${interval.toUpperCase()}_PRICE_ID`;
}

/**
 * The plans module's part of the configuration, validated at boot with everything else: the
 * catalog file (PLAN_CATALOG_PATH) and the Stripe price id of each paid plan and interval
 * (STRIPE_<PLAN>_<INTERVAL>_PRICE_ID, required in production), which depend on the catalog.
 */
export const planConfigSection: ConfigSection = (env, context) => {
  const errors: string[] = [];
  const warnings: string[] = [];
  const catalogPath = resolve(context.cwd, env.PLAN_CATALOG_PATH ?? 'catalogs/default.json');
  const catalog = readCatalog(catalogPath, errors);
  if (!catalog) return { values: {}, errors, warnings };
  const priceIds = readPriceIds(catalog, env, context.isProduction, errors, warnings);
  return { values: { catalogPath, catalog, priceIds }, errors, warnings };
};

function readCatalog(path: string, errors: string[]): PlanCatalog | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    errors.push(
      `PLAN_CATALOG_PATH: cannot read ${path} (${(error as Error).message}). Hint: ${ENVIRONMENT_HINTS.PLAN_CATALOG_PATH}`,
    );
    return undefined;
  }
  const result = validatePlanCatalog(raw);
  errors.push(...result.errors.map((e) => `PLAN_CATALOG_PATH (${path}): ${e}`));
  return result.catalog;
}

function readPriceIds(
  catalog: PlanCatalog,
  env: Record<string, string | undefined>,
  isProduction: boolean,
  errors: string[],
  warnings: string[],
): PlanPriceIds {
  const priceIds: PlanPriceIds = {};
  const expected = new Set<string>();
  for (const plan of catalog.plans.filter((p) => !p.isFree)) {
    priceIds[plan.key] = {};
    for (const interval of BILLING_INTERVALS) {
      const name = priceIdVariable(plan.key, interval);
      expected.add(name);
      const value = env[name];
      if (value === undefined) {
        if (isProduction) {
          errors.push(`${name}: missing; required in production (Stripe price of ${plan.name}, ${interval}). Hint: price_... from the Stripe dashboard`);
        }
      } else if (!value.startsWith('price_')) {
        errors.push(`${name}: must be a Stripe price id starting with price_`);
      } else {
        priceIds[plan.key][interval] = value;
      }
    }
  }
  for (const name of Object.keys(env)) {
    if (/^STRIPE_.+_(MONTHLY|YEARLY)_PRICE_ID$/.test(name) && !expected.has(name)) {
      warnings.push(`${name} is set but the catalog has no paid plan by that name; it is ignored`);
    }
  }
  const all = Object.values(priceIds).flatMap((byInterval) => Object.values(byInterval));
  const duplicates = all.filter((id, i) => all.indexOf(id) !== i);
  if (duplicates.length > 0) {
    errors.push(`STRIPE_*_PRICE_ID: each price id may map to one plan and interval only (repeated: ${[...new Set(duplicates)].join(', ')})`);
  }
  return priceIds;
}
