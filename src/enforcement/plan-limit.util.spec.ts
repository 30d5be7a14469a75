import { describe, expect, it } from '@jest/globals';
import type { PlanDefinition } from '../plans/plan-catalog.types.js';
import { decideGrant, decideUsage, suggestPlanForFeature, suggestPlanForMetric } from './plan-limit.util.js';
import { UsageDecisionReason } from './usage-decision-reason.enum.js';

const plan = (key: string, campaigns: number, csvExport: boolean, active = true): PlanDefinition => ({
  key,
  name: key,
  description: null,
  sortOrder: 0,
  currency: 'usd',
  prices: { monthly: 0, yearly: 0 },
  limits: { campaigns },
  features: { csvExport },
  active,
  isFree: key === 'free',
  retired: !active,
  trialDays: 0,
});

const PLANS = [plan('free', 1, false), plan('retired', 50, true, false), plan('glow_up', 5, true), plan('viral', 20, true), plan('fame', -1, true)];

describe('decideGrant', () => {
  it.each([
    // limit, used, requested, partial, granted
    [5, 4, 1, false, 1],
    [5, 5, 1, false, 0],
    [5, 3, 3, false, 0],
    [5, 3, 3, true, 2],
    [50, 30, 500, true, 20],
    [50, 50, 1, true, 0],
    [-1, 1_000, 1_000_000, false, 1_000_000],
    [0, 0, 1, true, 0],
  ])('limit %i, used %i, requested %i, partial %s -> %i', (limit, used, requested, partial, granted) => {
    expect(decideGrant({ limit, used, requested, partial })).toBe(granted);
  });

  it('grants nothing to an account over its limit after a downgrade', () => {
    expect(decideGrant({ limit: 1, used: 4, requested: 1, partial: false })).toBe(0);
    expect(decideGrant({ limit: 1, used: 4, requested: 10, partial: true })).toBe(0);
  });
});

describe('decideUsage', () => {
  it('says why', () => {
    expect(decideUsage(5, 2, 3, false)).toEqual({ allowed: true, reason: UsageDecisionReason.WITHIN_LIMIT, remaining: 3 });
    expect(decideUsage(5, 3, 3, false)).toEqual({ allowed: false, reason: UsageDecisionReason.LIMIT_EXCEEDED, remaining: 2 });
    expect(decideUsage(-1, 9, 3, false)).toEqual({ allowed: true, reason: UsageDecisionReason.UNLIMITED, remaining: -1 });
    expect(decideUsage(1, 7, 3, true)).toEqual({ allowed: true, reason: UsageDecisionReason.BYPASSED, remaining: 0 });
  });
});

describe('suggestPlanForMetric', () => {
  it('picks the cheapest active plan, other than the current one, that fits used + requested', () => {
    expect(suggestPlanForMetric(PLANS, 'campaigns', 2, 'free')).toBe('glow_up');
    expect(suggestPlanForMetric(PLANS, 'campaigns', 6, 'glow_up')).toBe('viral');
    expect(suggestPlanForMetric(PLANS, 'campaigns', 21, 'free')).toBe('fame');
  });

  it('skips inactive plans and returns null when nothing fits', () => {
    expect(suggestPlanForMetric(PLANS, 'campaigns', 30, 'free')).toBe('fame');
    expect(suggestPlanForMetric(PLANS, 'campaigns', 30, 'fame')).toBeNull();
  });
});

describe('suggestPlanForFeature', () => {
  it('picks the cheapest active plan with the feature', () => {
    expect(suggestPlanForFeature(PLANS, 'csvExport', 'free')).toBe('glow_up');
    expect(suggestPlanForFeature([plan('free', 1, false)], 'csvExport', 'free')).toBeNull();
  });
});
