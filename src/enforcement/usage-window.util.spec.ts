import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addMonthsClamped,
  COUNT_METRIC_PERIOD_START,
  usageWindow,
  usageWindowCarries,
  type UsageWindowAccount,
} from './usage-window.util.js';

const MONTH = { kind: 'period', window: 'month' } as const;
const BILLING_PERIOD = { kind: 'period', window: 'billing_period' } as const;
const COUNT = { kind: 'count', window: null } as const;
const at = (iso: string) => new Date(iso);

const account = (overrides: Partial<UsageWindowAccount> = {}): UsageWindowAccount => ({
  billingCycleAnchor: null,
  currentPeriodStart: null,
  currentPeriodEnd: null,
  accountCreatedAt: at('2026-01-05T09:30:00Z'),
  ...overrides,
});

/** A yearly subscription started (and anchored) on the 14th. */
const yearly = account({
  billingCycleAnchor: at('2026-03-14T10:00:00Z'),
  currentPeriodStart: at('2026-03-14T10:00:00Z'),
  currentPeriodEnd: at('2027-03-14T10:00:00Z'),
});

describe('usageWindow', () => {
  it('gives COUNT metrics one window for all time', () => {
    expect(usageWindow(COUNT, yearly, at('2026-11-21T12:00:00Z'))).toEqual({ start: COUNT_METRIC_PERIOD_START, end: null });
  });

  it('steps monthly windows from the anchor of a yearly subscription', () => {
    expect(usageWindow(MONTH, yearly, at('2026-03-14T10:00:00Z'))).toEqual({
      start: at('2026-03-14T10:00:00Z'),
      end: at('2026-04-14T10:00:00Z'),
    });
    expect(usageWindow(MONTH, yearly, at('2026-11-21T12:00:00Z'))).toEqual({
      start: at('2026-11-14T10:00:00Z'),
      end: at('2026-12-14T10:00:00Z'),
    });
    // The boundary belongs to the next window; one millisecond before, to the previous one.
    expect(usageWindow(MONTH, yearly, at('2026-12-14T10:00:00Z')).start).toEqual(at('2026-12-14T10:00:00Z'));
    expect(usageWindow(MONTH, yearly, at('2026-12-14T09:59:59.999Z')).start).toEqual(at('2026-11-14T10:00:00Z'));
    // Across the year end.
    expect(usageWindow(MONTH, yearly, at('2027-01-01T00:00:00Z'))).toEqual({
      start: at('2026-12-14T10:00:00Z'),
      end: at('2027-01-14T10:00:00Z'),
    });
  });

  it('keeps counting in the window that contains now when the renewal has not been synced', () => {
    const now = at('2027-04-02T00:00:00Z'); // the stored yearly period ended on 2027-03-14
    expect(usageWindow(MONTH, yearly, now)).toEqual({ start: at('2027-03-14T10:00:00Z'), end: at('2027-04-14T10:00:00Z') });
    expect(usageWindow(BILLING_PERIOD, yearly, now)).toEqual({ start: at('2027-03-14T10:00:00Z'), end: at('2028-03-14T10:00:00Z') });
    // ...the same window the synced renewal gives: no second allowance when the sync lands.
    const renewed = { ...yearly, currentPeriodStart: at('2027-03-14T10:00:00Z'), currentPeriodEnd: at('2028-03-14T10:00:00Z') };
    expect(usageWindow(MONTH, renewed, now)).toEqual(usageWindow(MONTH, yearly, now));
    expect(usageWindow(BILLING_PERIOD, renewed, now)).toEqual(usageWindow(BILLING_PERIOD, yearly, now));
  });

  it('clamps an anchor on the 31st to the month end as Stripe does, and comes back to the 31st', () => {
    const on31 = account({ billingCycleAnchor: at('2027-01-31T08:00:00Z') });
    expect(usageWindow(MONTH, on31, at('2027-02-15T00:00:00Z'))).toEqual({
      start: at('2027-01-31T08:00:00Z'),
      end: at('2027-02-28T08:00:00Z'),
    });
    expect(usageWindow(MONTH, on31, at('2027-03-01T00:00:00Z'))).toEqual({
      start: at('2027-02-28T08:00:00Z'),
      end: at('2027-03-31T08:00:00Z'),
    });
    expect(usageWindow(MONTH, on31, at('2027-04-30T07:00:00Z'))).toEqual({
      start: at('2027-03-31T08:00:00Z'),
      end: at('2027-04-30T08:00:00Z'),
    });
  });

  it('uses February 29 in leap years', () => {
    const on31 = account({ billingCycleAnchor: at('2028-01-31T00:00:00Z') });
    expect(usageWindow(MONTH, on31, at('2028-02-29T12:00:00Z'))).toEqual({
      start: at('2028-02-29T00:00:00Z'),
      end: at('2028-03-31T00:00:00Z'),
    });
    const on29 = account({ billingCycleAnchor: at('2028-02-29T00:00:00Z') });
    // A yearly billing period anchored on Feb 29 renews on Feb 28 of the next year.
    expect(usageWindow(BILLING_PERIOD, { ...on29, currentPeriodStart: at('2028-02-29T00:00:00Z'), currentPeriodEnd: at('2029-02-28T00:00:00Z') }, at('2029-03-01T00:00:00Z'))).toEqual({
      start: at('2029-02-28T00:00:00Z'),
      end: at('2030-02-28T00:00:00Z'),
    });
  });

  it('steps from the account creation date when the business never had a subscription', () => {
    expect(usageWindow(MONTH, account(), at('2026-11-21T12:00:00Z'))).toEqual({
      start: at('2026-11-05T09:30:00Z'),
      end: at('2026-12-05T09:30:00Z'),
    });
    expect(usageWindow(BILLING_PERIOD, account(), at('2026-11-21T12:00:00Z'))).toEqual({
      start: at('2026-11-05T09:30:00Z'),
      end: at('2026-12-05T09:30:00Z'),
    });
  });

  it('steps back from an anchor in the future (a trial ending later)', () => {
    const trial = account({ billingCycleAnchor: at('2026-12-10T00:00:00Z') });
    expect(usageWindow(MONTH, trial, at('2026-11-21T12:00:00Z'))).toEqual({
      start: at('2026-11-10T00:00:00Z'),
      end: at('2026-12-10T00:00:00Z'),
    });
  });

  it('counts a use stamped a moment before the account or the subscription period began in the first window', () => {
    const created = at('2026-11-22T00:14:32.120Z');
    const fresh = account({ accountCreatedAt: created });
    expect(usageWindow(MONTH, fresh, at('2026-11-22T00:14:32.119Z'))).toEqual(usageWindow(MONTH, fresh, created));
    expect(usageWindow(MONTH, fresh, at('2026-11-22T00:14:32.119Z')).start).toEqual(created);
    const anchor = at('2026-11-22T00:20:00Z');
    const subscribed = account({ billingCycleAnchor: anchor, currentPeriodStart: anchor, currentPeriodEnd: at('2026-12-22T00:20:00Z') });
    expect(usageWindow(MONTH, subscribed, at('2026-11-22T00:19:58Z')).start).toEqual(anchor);
    expect(usageWindow(BILLING_PERIOD, subscribed, at('2026-11-22T00:19:58Z')).start).toEqual(anchor);
  });

  it('uses the billing period itself for billing_period metrics while it covers now', () => {
    const now = at('2026-11-21T12:00:00Z');
    expect(usageWindow(BILLING_PERIOD, yearly, now)).toEqual({ start: yearly.currentPeriodStart, end: yearly.currentPeriodEnd });
  });

  it('works in UTC whatever the time of day (no daylight saving shifts)', () => {
    const anchor = account({ billingCycleAnchor: at('2026-03-08T02:30:00Z') }); // US DST starts that night
    expect(usageWindow(MONTH, anchor, at('2026-11-01T07:00:00Z'))).toEqual({
      start: at('2026-10-08T02:30:00Z'),
      end: at('2026-11-08T02:30:00Z'),
    });
  });

  it('always returns a window of about a month that contains now (property)', () => {
    const date = fc.date({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(date, date, (anchor, now) => {
        const { start, end } = usageWindow(MONTH, account({ billingCycleAnchor: anchor }), now);
        const days = (end!.getTime() - start.getTime()) / 86_400_000;
        expect(start <= now && now < end!).toBe(true);
        expect(days).toBeGreaterThanOrEqual(28);
        expect(days).toBeLessThanOrEqual(31);
        // The anchor's day of month, or the month's last day when the month is shorter.
        expect(start.getUTCDate() === anchor.getUTCDate() || start.getUTCDate() < anchor.getUTCDate()).toBe(true);
        expect(start.getUTCHours()).toBe(anchor.getUTCHours());
      }),
    );
  });
});

describe('addMonthsClamped', () => {
  it('clamps to the month length and never drifts', () => {
    const anchor = at('2027-01-31T00:00:00Z');
    expect([1, 2, 3, 13, -1, -11].map((n) => addMonthsClamped(anchor, n).toISOString().slice(0, 10))).toEqual([
      '2027-02-28',
      '2027-03-31',
      '2027-04-30',
      '2028-02-29',
      '2026-12-31',
      '2026-02-28',
    ]);
  });
});

describe('usageWindowCarries', () => {
  const metrics = [
    { key: 'campaigns', kind: 'count', window: null },
    { key: 'creators', kind: 'period', window: 'month' },
    { key: 'exports', kind: 'period', window: 'billing_period' },
  ] as const;
  const now = at('2026-11-21T12:00:00Z');

  it('carries every PERIOD window that an interval change moves (Stripe resets the anchor to now)', () => {
    const monthly = account({ billingCycleAnchor: now, currentPeriodStart: now, currentPeriodEnd: at('2026-12-21T12:00:00Z') });
    expect(usageWindowCarries(metrics, yearly, monthly, now)).toEqual([
      { metric: 'creators', from: at('2026-11-14T10:00:00Z'), to: now },
      { metric: 'exports', from: at('2026-03-14T10:00:00Z'), to: now },
    ]);
  });

  it('carries nothing when the windows stay: a price change keeping the anchor, a renewal, a repeat sync', () => {
    expect(usageWindowCarries(metrics, yearly, { ...yearly }, now)).toEqual([]);
    const renewed = { ...yearly, currentPeriodStart: at('2027-03-14T10:00:00Z'), currentPeriodEnd: at('2028-03-14T10:00:00Z') };
    expect(usageWindowCarries(metrics, yearly, renewed, at('2027-04-02T00:00:00Z'))).toEqual([]);
  });

  /** Monthly, anchored on the 14th at 10:00; the stored period is October's. */
  const october = account({
    billingCycleAnchor: at('2026-09-14T10:00:00Z'),
    currentPeriodStart: at('2026-10-14T10:00:00Z'),
    currentPeriodEnd: at('2026-11-14T10:00:00Z'),
  });
  const november = { ...october, currentPeriodStart: at('2026-11-14T10:00:00Z'), currentPeriodEnd: at('2026-12-14T10:00:00Z') };

  it('carries nothing at a renewal synced a moment before our clock reaches the new period', () => {
    // Stripe's clock runs ahead: the new period's start is still 2 s away by ours.
    for (const now of [at('2026-11-14T09:59:58Z'), at('2026-11-14T09:59:59.999Z')]) {
      expect(usageWindowCarries(metrics, october, november, now)).toEqual([]);
    }
    const yearlyRenewed = { ...yearly, currentPeriodStart: at('2027-03-14T10:00:00Z'), currentPeriodEnd: at('2028-03-14T10:00:00Z') };
    expect(usageWindowCarries(metrics, yearly, yearlyRenewed, at('2027-03-14T09:59:55Z'))).toEqual([]);
  });

  it('carries nothing at any renewal synced up to a minute early or late (property)', () => {
    const date = fc.date({ min: at('2020-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 30 }), fc.integer({ min: -60_000, max: 60_000 }), (anchor, n, skew) => {
        const periodStart = addMonthsClamped(anchor, n);
        const before = account({ billingCycleAnchor: anchor, currentPeriodStart: addMonthsClamped(anchor, n - 1), currentPeriodEnd: periodStart });
        const after = { ...before, currentPeriodStart: periodStart, currentPeriodEnd: addMonthsClamped(anchor, n + 1) };
        expect(usageWindowCarries(metrics, before, after, new Date(periodStart.getTime() + skew))).toEqual([]);
      }),
    );
  });

  it('carries nothing at a renewal synced on time or late', () => {
    for (const now of [at('2026-11-14T10:00:00Z'), at('2026-11-14T10:00:02Z'), at('2026-11-20T00:00:00Z')]) {
      expect(usageWindowCarries(metrics, october, november, now)).toEqual([]);
    }
  });

  it('carries a switch mid-window synced a moment before our clock reaches the new anchor', () => {
    const anchor = at('2026-11-21T12:00:00Z');
    const monthly = account({ billingCycleAnchor: anchor, currentPeriodStart: anchor, currentPeriodEnd: at('2026-12-21T12:00:00Z') });
    expect(usageWindowCarries(metrics, yearly, monthly, at('2026-11-21T11:59:58Z'))).toEqual([
      { metric: 'creators', from: at('2026-11-14T10:00:00Z'), to: anchor },
      { metric: 'exports', from: at('2026-03-14T10:00:00Z'), to: anchor },
    ]);
  });

  it('carries a switch back to a window that began before the one that counted (yearly -> monthly -> yearly)', () => {
    const monthly = account({ billingCycleAnchor: now, currentPeriodStart: now, currentPeriodEnd: at('2026-12-21T12:00:00Z') });
    const later = at('2026-11-22T08:00:00Z');
    expect(usageWindowCarries(metrics, monthly, yearly, later)).toEqual([
      { metric: 'creators', from: now, to: at('2026-11-14T10:00:00Z') },
      { metric: 'exports', from: now, to: at('2026-03-14T10:00:00Z') },
    ]);
  });

  it('carries nothing from a trial into the first paid period, whether the conversion is synced early or late', () => {
    const trialEnd = at('2026-12-10T00:00:00Z');
    const trial = account({ billingCycleAnchor: trialEnd, currentPeriodStart: at('2026-11-26T00:00:00Z'), currentPeriodEnd: trialEnd });
    const paid = account({ billingCycleAnchor: trialEnd, currentPeriodStart: trialEnd, currentPeriodEnd: at('2027-01-10T00:00:00Z') });
    for (const at_ of [at('2026-12-09T23:59:58Z'), trialEnd, at('2026-12-10T00:00:03Z')]) {
      expect(usageWindowCarries(metrics, trial, paid, at_)).toEqual([]);
    }
  });

  it("carries nothing into a first subscription that starts when the free window ends (the free window's count was spent in it)", () => {
    const end = at('2026-12-05T09:30:00Z'); // the free windows step from 2026-01-05T09:30
    const subscribed = account({ billingCycleAnchor: end, currentPeriodStart: end, currentPeriodEnd: at('2027-01-05T09:30:00Z') });
    for (const at_ of [at('2026-12-05T09:29:58Z'), end]) {
      expect(usageWindowCarries(metrics, account(), subscribed, at_)).toEqual([]);
    }
  });

  it("carries the window of a business without a subscription into its first subscription's", () => {
    const fresh = account(); // windows from 2026-01-05T09:30
    const subscribed = account({ billingCycleAnchor: now, currentPeriodStart: now, currentPeriodEnd: at('2026-12-21T12:00:00Z') });
    expect(usageWindowCarries(metrics, fresh, subscribed, now).map((c) => [c.metric, c.from.toISOString(), c.to.toISOString()])).toEqual([
      ['creators', '2026-11-05T09:30:00.000Z', '2026-11-21T12:00:00.000Z'],
      ['exports', '2026-11-05T09:30:00.000Z', '2026-11-21T12:00:00.000Z'],
    ]);
  });
});
