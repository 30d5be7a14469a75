import type { MetricKind, UsageWindowKind } from '../plans/plan-catalog.dto.js';

/** Count metrics (what exists now) have one counter row for all time, under this fixed period. */
export const COUNT_METRIC_PERIOD_START = new Date('1970-01-01T00:00:00.000Z');

/** What a usage window is computed from (a subset of the account's entitlement snapshot). */
export interface UsageWindowAccount {
  /** Stripe's `billing_cycle_anchor` of the account's (last) subscription; null without one. */
  billingCycleAnchor: Date | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** Where windows step from when the business has never had a subscription. */
  accountCreatedAt: Date;
}

/** [start, end): a PERIOD metric's counter row is keyed by `start`. `end` is null for COUNT metrics. */
export interface UsageWindow {
  start: Date;
  end: Date | null;
}

/**
 * The window a use counts in at `now`. Pure and UTC-only (no local time, so no DST).
 *
 * - COUNT metrics: one window for all time.
 * - `month`: monthly windows stepped from the billing cycle anchor (the account's creation when
 *   it never had a subscription), whatever the price's interval: a yearly subscription started on
 *   the 14th has windows from the 14th of every month.
 * - `billing_period`: the subscription's current period when it covers `now`; otherwise periods of
 *   the same length stepped from the anchor.
 *
 * The window contains `now` (or the account's or period's start, for a use stamped a moment
 * before it) and is computed from the anchor, never from the calendar or
 * from whether the latest renewal was synced yet: a renewal that has not reached us keeps counting
 * in the right window, and a later sync cannot open a second one. Stepping clamps to the month's
 * last day as Stripe does (anchor on the 31st: Jan 31, Feb 28 or 29, Mar 31) and keeps the
 * anchor's time of day.
 */
export function usageWindow(
  metric: { kind: MetricKind; window: UsageWindowKind | null },
  account: UsageWindowAccount,
  now: Date,
): UsageWindow {
  if (metric.kind === 'count') return { start: COUNT_METRIC_PERIOD_START, end: null };
  const { currentPeriodStart: periodStart, currentPeriodEnd: periodEnd } = account;
  // A use stamped a moment before the account was created, or before the subscription's period
  // began by our clock (the request read the clock first; Stripe's clock runs a little ahead),
  // counts in the first window, never in one before it that would then be abandoned: a free
  // extra allowance. An anchor legitimately in the future (a trial's end) is not affected.
  const floor = account.billingCycleAnchor ? periodStart : account.accountCreatedAt;
  if (floor && now < floor) now = floor;
  if (metric.window === 'billing_period') {
    if (periodStart && periodEnd && periodStart <= now && now < periodEnd) return { start: periodStart, end: periodEnd };
    const anchor = account.billingCycleAnchor ?? periodStart ?? account.accountCreatedAt;
    const months = periodStart && periodEnd ? Math.max(1, monthsBetween(periodStart, periodEnd)) : 1;
    return steppedWindow(anchor, months, now);
  }
  return steppedWindow(account.billingCycleAnchor ?? account.accountCreatedAt, 1, now);
}

/** `anchor` moved by `months` calendar months (negative: back), clamped to the target month's length. */
export function addMonthsClamped(anchor: Date, months: number): Date {
  const total = anchor.getUTCMonth() + months;
  const year = anchor.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(
    Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()),
  );
}

/** The window of `step` months, stepped from `anchor` (forwards or back), that contains `now`. */
function steppedWindow(anchor: Date, step: number, now: Date): UsageWindow {
  let n = Math.floor(monthsBetween(anchor, now) / step);
  let start = addMonthsClamped(anchor, n * step);
  if (start > now) start = addMonthsClamped(anchor, --n * step);
  let end = addMonthsClamped(anchor, (n + 1) * step);
  // Cannot happen with whole-month steps, but a window must contain now whatever the inputs.
  while (end <= now) {
    start = end;
    end = addMonthsClamped(anchor, ++n * step + step);
  }
  return { start, end };
}

/** Calendar months from a to b, ignoring the day: 2026-01-31 -> 2026-02-01 is 1. */
function monthsBetween(a: Date, b: Date): number {
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** A window's count that moves to another window: see usageWindowCarries. */
export interface UsageWindowCarry {
  metric: string;
  /** The window that counted until now (start). */
  from: Date;
  /** The window that contains now under the new anchor (start); it counts from now on. */
  to: Date;
}

/**
 * What a sync that changes an account's anchor or period must carry, so that no such change
 * opens a fresh allowance. For each PERIOD metric: when the window containing `now` before the
 * change and the one containing `now` after it differ AND overlap in time, the new window starts
 * with the old one's count. Stripe resets the anchor on an interval change (yearly -> monthly ->
 * yearly costs next to nothing once unused time is credited), a resume, or a new subscription:
 * without the carry each would start at zero. The new window then runs its full length from the
 * new anchor, so its allowance is one for both; the next fresh one comes a window after the new
 * anchor.
 *
 * Windows back to back (the new one starts where the old one ends) are never a carry: that is a
 * renewal, a trial converting into its first paid period, or a first subscription starting as
 * the free window ends, and the old window's count was spent in a window that is over. They
 * differ at all only because the sync came a moment before our clock reached the boundary
 * (usageWindow moves `now` up to the new period's start, Stripe's clock running ahead): synced a
 * moment later, both sides give the new window and nothing is carried, so early and late must
 * agree.
 */
export function usageWindowCarries(
  metrics: readonly { key: string; kind: MetricKind; window: UsageWindowKind | null }[],
  before: UsageWindowAccount,
  after: UsageWindowAccount,
  now: Date,
): UsageWindowCarry[] {
  const carries: UsageWindowCarry[] = [];
  for (const metric of metrics) {
    if (metric.kind === 'count') continue;
    const from = usageWindow(metric, before, now);
    const to = usageWindow(metric, after, now);
    if (from.start.getTime() === to.start.getTime() || !overlap(from, to)) continue;
    carries.push({ metric: metric.key, from: from.start, to: to.start });
  }
  return carries;
}

/** Whether two PERIOD windows ([start, end), end set) share an instant; back to back they do not. */
function overlap(a: UsageWindow, b: UsageWindow): boolean {
  return a.start < b.end! && b.start < a.end!;
}
