import { UNLIMITED, type PlanDefinition } from '../plans/plan-catalog.types.js';
import { UsageDecisionReason } from './usage-decision-reason.enum.js';

export interface GrantRequest {
  /** -1 = unlimited. */
  limit: number;
  used: number;
  requested: number;
  /** Grant what is left (down to 1) instead of all or nothing. */
  partial: boolean;
}

/**
 * How much of a request a plan grants; 0 means refused. This is the rule the reservation
 * statement in UsageService evaluates inside PostgreSQL (keep the two in step); it lives here
 * too so that the rule is unit-tested and canUse can answer the same way without writing.
 * An account over its limit (after a downgrade) keeps what it has and is granted nothing.
 */
export function decideGrant({ limit, used, requested, partial }: GrantRequest): number {
  if (limit === UNLIMITED) return requested;
  const left = limit - used;
  if (partial) return Math.max(0, Math.min(requested, left));
  return requested <= left ? requested : 0;
}

export interface UsageAnswer {
  allowed: boolean;
  reason: UsageDecisionReason;
  /** -1 = unlimited. */
  remaining: number;
}

/** canUse: would `requested` more fit now? (all or nothing; partial grants say so through `remaining`). */
export function decideUsage(limit: number, used: number, requested: number, bypassed: boolean): UsageAnswer {
  const remaining = limit === UNLIMITED ? UNLIMITED : Math.max(0, limit - used);
  if (bypassed) return { allowed: true, reason: UsageDecisionReason.BYPASSED, remaining };
  if (limit === UNLIMITED) return { allowed: true, reason: UsageDecisionReason.UNLIMITED, remaining };
  const allowed = decideGrant({ limit, used, requested, partial: false }) > 0;
  return { allowed, reason: allowed ? UsageDecisionReason.WITHIN_LIMIT : UsageDecisionReason.LIMIT_EXCEEDED, remaining };
}

/**
 * The plan to offer on a refusal: the first active plan in catalog order (cheapest first) other
 * than the current one whose limit allows `needed` in total; null when none does.
 */
export function suggestPlanForMetric(
  plans: readonly PlanDefinition[],
  metric: string,
  needed: number,
  currentPlanKey: string,
): string | null {
  const fits = (plan: PlanDefinition) => plan.limits[metric] === UNLIMITED || plan.limits[metric] >= needed;
  return plans.find((plan) => plan.active && plan.key !== currentPlanKey && fits(plan))?.key ?? null;
}

/** The first active plan in catalog order, other than the current one, that includes the feature. */
export function suggestPlanForFeature(
  plans: readonly PlanDefinition[],
  feature: string,
  currentPlanKey: string,
): string | null {
  return plans.find((plan) => plan.active && plan.key !== currentPlanKey && plan.features[feature] === true)?.key ?? null;
}
