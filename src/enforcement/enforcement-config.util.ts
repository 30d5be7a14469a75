import type { ConfigSection } from '../config/app-config.types.js';
import { ENVIRONMENT_HINTS } from '../config/environment-variables.js';
import type { PlanCatalog } from '../plans/plan-catalog.types.js';
import { parsePlanBypass, type PlanBypass } from './plan-bypass.util.js';

declare module '../config/app-config.types.js' {
  interface AppConfig {
    enforcement: {
      /**
       * Plan limits not enforced (usage is still counted): 'all' (features too) or metric keys.
       * Always [] off development infrastructure, where PLAN_VALIDATION_BYPASS is refused at boot.
       */
      bypass: PlanBypass;
    };
  }
}

/** The enforcement module's part of the configuration; runs after the plans section (it needs the catalog). */
export const enforcementConfigSection: ConfigSection = (env, context, earlier) => {
  const errors: string[] = [];
  const warnings: string[] = [];
  const bypass = earlier.catalog
    ? readPlanBypass(env.PLAN_VALIDATION_BYPASS, earlier.catalog, context.refusedBecause, errors, warnings)
    : [];
  return { values: { enforcement: { bypass } }, errors, warnings };
};

/**
 * PLAN_VALIDATION_BYPASS: `all`, or catalog metrics whose limits are not enforced (usage is still
 * counted). A development aid only: refused at boot off development infrastructure (`refusedBecause`
 * says why), so a copied .env can never switch enforcement off for paying customers.
 */
function readPlanBypass(
  value: string | undefined,
  catalog: PlanCatalog,
  refusedBecause: string | undefined,
  errors: string[],
  warnings: string[],
): PlanBypass {
  if (value === undefined) return [];
  if (refusedBecause) {
    errors.push(`PLAN_VALIDATION_BYPASS: refused because ${refusedBecause}; unset it (it is for the embedded PostgreSQL and the simulator only)`);
    return [];
  }
  const parsed = parsePlanBypass(value);
  const known = new Set(catalog.metrics.map((metric) => metric.key));
  const unknown = parsed === 'all' ? [] : parsed.filter((metric) => !known.has(metric));
  if (unknown.length > 0) {
    errors.push(
      `PLAN_VALIDATION_BYPASS: unknown metric ${unknown.join(', ')} (catalog metrics: ${[...known].join(', ')}). Hint: ${ENVIRONMENT_HINTS.PLAN_VALIDATION_BYPASS}`,
    );
    return [];
  }
  if (parsed === 'all' || parsed.length > 0) {
    warnings.push(`PLAN_VALIDATION_BYPASS=${value}: plan limits are NOT enforced for ${parsed === 'all' ? 'every metric and feature' : parsed.join(', ')} (development only)`);
  }
  return parsed;
}
