export type Interval = 'day' | 'week' | 'month' | 'year';

const DAY = 86_400;

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * `anchor` moved forward by `n` billing intervals. Months keep the anchor's day of month and clamp
 * to the month's length (Jan 31 -> Feb 28 -> Mar 31), which is how Stripe keeps a billing cycle
 * anchor stable instead of drifting to the 28th after February.
 */
export function addIntervals(anchor: number, interval: Interval, intervalCount: number, n: number): number {
  const steps = intervalCount * n;
  if (interval === 'day') return anchor + steps * DAY;
  if (interval === 'week') return anchor + steps * 7 * DAY;
  const months = interval === 'year' ? steps * 12 : steps;
  const d = new Date(anchor * 1000);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return Math.floor(Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

/** First period boundary strictly after `after`, counted from the billing cycle anchor. */
export function nextPeriodEnd(anchor: number, interval: Interval, intervalCount: number, after: number): number {
  let n = 1;
  let end = addIntervals(anchor, interval, intervalCount, n);
  while (end <= after) {
    n += 1;
    end = addIntervals(anchor, interval, intervalCount, n);
  }
  return end;
}

/** Unix time `days` before `t`; used for trial_will_end, which Stripe sends three days before the trial ends. */
export function daysBefore(t: number, days: number): number {
  return t - days * DAY;
}

export const SECONDS_PER_DAY = DAY;
