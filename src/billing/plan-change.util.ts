import type { BillingInterval } from '../plans/plan-catalog.dto.js';

export interface PricedChoice {
  planKey: string;
  interval: BillingInterval;
  /** Catalog order: cheaper plans first. */
  sortOrder: number;
  /** Price per year in minor units, so monthly and yearly prices compare. */
  yearlyAmount: number;
}

export type PlanChangeKind = 'same' | 'upgrade' | 'downgrade';
export type PlanChangeWhen = 'now' | 'period_end';

/**
 * Upgrade or downgrade: a plan higher in the catalog is an upgrade; on one plan, the interval
 * that costs more per year is (monthly -> yearly of a plan is a downgrade in yearly cost only when
 * the yearly price is lower, which is the usual discount, so it is decided by cost, not name).
 */
export function classifyPlanChange(current: PricedChoice, target: PricedChoice): PlanChangeKind {
  if (current.planKey === target.planKey && current.interval === target.interval) return 'same';
  if (current.planKey !== target.planKey) return target.sortOrder > current.sortOrder ? 'upgrade' : 'downgrade';
  return target.yearlyAmount > current.yearlyAmount ? 'upgrade' : 'downgrade';
}

/**
 * When a change applies unless the owner says: an upgrade now (with proration, charged at once),
 * a downgrade at the period end (already paid for). Changing the interval also applies now on
 * one plan, because Stripe bills a new interval at once and resets the cycle anyway.
 */
export function planChangeWhen(
  kind: Exclude<PlanChangeKind, 'same'>,
  requested: PlanChangeWhen | null,
  intervalChanges: boolean,
  samePlan: boolean,
): PlanChangeWhen {
  if (requested) return requested;
  if (kind === 'upgrade' || (samePlan && intervalChanges)) return 'now';
  return 'period_end';
}
