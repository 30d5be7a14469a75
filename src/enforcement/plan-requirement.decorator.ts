import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { PlanGuard } from './plan.guard.js';
import { PlanReservationInterceptor } from './plan-reservation.interceptor.js';
import { type CapacityOptions, PLAN_REQUIREMENT_KEY, type PlanRequirement } from './plan-requirement.types.js';

/**
 * The handler uses plan capacity of `metric` (a catalog metric). Before it runs, the guard
 * reserves the amount against the plan's limit in one SQL statement, so concurrent calls can
 * never exceed it, and refuses with PLAN_LIMIT_EXCEEDED (403) when it does not fit. If the
 * handler throws, the interceptor gives the reservation back. Count metrics are given back by
 * the code that deletes the thing counted; period metrics are not given back (usage in a period
 * stays used), except what a partial grant settles as unused.
 *
 * @example @RequiresPlanCapacity('campaigns')
 * @example @RequiresPlanCapacity('creators', { amount: 'input.expectedCreators', partial: true })
 */
export function RequiresPlanCapacity(metric: string, options: CapacityOptions = {}) {
  const requirement: PlanRequirement = { kind: 'capacity', metric, amount: options.amount, partial: options.partial ?? false };
  return applyDecorators(
    SetMetadata(PLAN_REQUIREMENT_KEY, requirement),
    UseGuards(PlanGuard),
    UseInterceptors(PlanReservationInterceptor),
  );
}

/**
 * The handler needs a boolean plan feature (a catalog feature key); refused with
 * FEATURE_NOT_IN_PLAN (403) otherwise. Decided from the entitlements cache: no SQL on a hit.
 */
export function RequiresFeature(feature: string) {
  const requirement: PlanRequirement = { kind: 'feature', feature };
  return applyDecorators(SetMetadata(PLAN_REQUIREMENT_KEY, requirement), UseGuards(PlanGuard));
}

/**
 * A product mutation that costs nothing against the plan (e.g. a delete, a settlement). Saying so
 * is required: a test fails for any product mutation that declares no plan requirement at all.
 */
export function NoPlanLimit() {
  const requirement: PlanRequirement = { kind: 'none' };
  return applyDecorators(SetMetadata(PLAN_REQUIREMENT_KEY, requirement));
}
