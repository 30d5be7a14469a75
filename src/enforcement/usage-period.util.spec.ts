import { describe, expect, it } from '@jest/globals';
import { COUNT_METRIC_PERIOD_START, usagePeriodStart } from './usage-period.util.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const none = { currentPeriodStart: null, currentPeriodEnd: null };

describe('usagePeriodStart', () => {
  it('uses one fixed period for count metrics, whatever the account', () => {
    expect(usagePeriodStart('count', none, NOW)).toEqual(COUNT_METRIC_PERIOD_START);
    const period = { currentPeriodStart: new Date('2026-11-15T00:00:00Z'), currentPeriodEnd: new Date('2026-12-15T00:00:00Z') };
    expect(usagePeriodStart('count', period, NOW)).toEqual(new Date('1970-01-01T00:00:00Z'));
  });

  it('uses the subscription period when it covers now', () => {
    const start = new Date('2026-11-15T08:30:00Z');
    expect(usagePeriodStart('period', { currentPeriodStart: start, currentPeriodEnd: new Date('2026-12-15T08:30:00Z') }, NOW)).toEqual(start);
  });

  it('falls back to the calendar month (UTC) without a period, or with one that does not cover now', () => {
    const month = new Date('2026-11-01T00:00:00Z');
    expect(usagePeriodStart('period', none, NOW)).toEqual(month);
    const ended = { currentPeriodStart: new Date('2026-10-01T00:00:00Z'), currentPeriodEnd: new Date('2026-11-01T00:00:00Z') };
    expect(usagePeriodStart('period', ended, NOW)).toEqual(month);
    const future = { currentPeriodStart: new Date('2026-12-01T00:00:00Z'), currentPeriodEnd: new Date('2027-01-01T00:00:00Z') };
    expect(usagePeriodStart('period', future, NOW)).toEqual(month);
  });

  it('treats the period end as exclusive', () => {
    const start = new Date('2026-10-21T12:00:00Z');
    expect(usagePeriodStart('period', { currentPeriodStart: start, currentPeriodEnd: NOW }, NOW)).toEqual(new Date('2026-11-01T00:00:00Z'));
    expect(usagePeriodStart('period', { currentPeriodStart: NOW, currentPeriodEnd: new Date('2026-12-21T12:00:00Z') }, NOW)).toEqual(NOW);
  });
});
