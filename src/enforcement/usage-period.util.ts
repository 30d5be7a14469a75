import type { MetricKind } from '../plans/plan-catalog.dto.js';

/** Count metrics (what exists now) have one counter row for all time, under this fixed period. */
export const COUNT_METRIC_PERIOD_START = new Date('1970-01-01T00:00:00.000Z');

export interface UsagePeriodAccount {
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
}

/**
 * The period_start of the usage_counters row a use counts against. Period metrics use the
 * subscription's current billing period when it covers `now`, else the current calendar month
 * (UTC): free accounts, and paid ones whose renewal has not been synced yet. A new period is a
 * new row, so usage starts at zero with no reset job and history is kept.
 */
export function usagePeriodStart(kind: MetricKind, account: UsagePeriodAccount, now: Date): Date {
  if (kind === 'count') return COUNT_METRIC_PERIOD_START;
  const { currentPeriodStart: start, currentPeriodEnd: end } = account;
  if (start && end && start <= now && now < end) return start;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
