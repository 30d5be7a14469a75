import { describe, expect, it } from '@jest/globals';
import { effectivePlan, EntitlementSource, type EntitlementAccount } from './effective-plan.util.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const LATER = new Date('2026-11-28T12:00:00Z');
const EARLIER = new Date('2026-11-14T12:00:00Z');

const account = (overrides: Partial<EntitlementAccount> = {}): EntitlementAccount => ({
  overridePlanKey: null,
  overrideUntil: null,
  gracePeriodEndsAt: null,
  trialStatus: 'inactive',
  trialPlanKey: null,
  trialEndsAt: null,
  ...overrides,
});

describe('effectivePlan', () => {
  it('gives the default plan to an account with nothing', () => {
    expect(effectivePlan(account(), null, NOW, 'free')).toEqual({
      planKey: 'free',
      source: EntitlementSource.DEFAULT,
      warnings: [],
    });
  });

  it.each(['active', 'trialing'])('gives the subscribed plan while the subscription is %s', (status) => {
    const result = effectivePlan(account(), { status, planKey: 'glow_up' }, NOW, 'free');
    expect(result).toMatchObject({ planKey: 'glow_up', source: EntitlementSource.SUBSCRIPTION });
  });

  it.each(['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'])(
    'gives the default plan when the subscription is %s',
    (status) => {
      const result = effectivePlan(account(), { status, planKey: 'glow_up' }, NOW, 'free');
      expect(result).toMatchObject({ planKey: 'free', source: EntitlementSource.DEFAULT });
    },
  );

  it('keeps a past_due plan inside the grace period, with a warning', () => {
    const result = effectivePlan(account({ gracePeriodEndsAt: LATER }), { status: 'past_due', planKey: 'viral_surge' }, NOW, 'free');
    expect(result.planKey).toBe('viral_surge');
    expect(result.source).toBe(EntitlementSource.GRACE_PERIOD);
    expect(result.warnings[0]).toContain('payment overdue');
  });

  it('drops a past_due plan once the grace period is over', () => {
    const result = effectivePlan(account({ gracePeriodEndsAt: EARLIER }), { status: 'past_due', planKey: 'viral_surge' }, NOW, 'free');
    expect(result).toMatchObject({ planKey: 'free', source: EntitlementSource.DEFAULT });
    expect(result.warnings).toEqual(['payment overdue: grace period over']);
  });

  it('gives an active app trial until it ends', () => {
    const trial = { trialStatus: 'active' as const, trialPlanKey: 'glow_up', trialEndsAt: LATER };
    expect(effectivePlan(account(trial), null, NOW, 'free').source).toBe(EntitlementSource.TRIAL);
    expect(effectivePlan(account({ ...trial, trialEndsAt: EARLIER }), null, NOW, 'free').planKey).toBe('free');
  });

  it('puts an unexpired admin override above everything', () => {
    const overridden = account({ overridePlanKey: 'fame_flex', overrideUntil: LATER });
    const result = effectivePlan(overridden, { status: 'active', planKey: 'glow_up' }, NOW, 'free');
    expect(result).toMatchObject({ planKey: 'fame_flex', source: EntitlementSource.ADMIN_OVERRIDE });
    expect(effectivePlan(account({ overridePlanKey: 'fame_flex' }), null, NOW, 'free').planKey).toBe('fame_flex');
  });

  it('ignores an expired admin override', () => {
    const overridden = account({ overridePlanKey: 'fame_flex', overrideUntil: EARLIER });
    expect(effectivePlan(overridden, { status: 'active', planKey: 'glow_up' }, NOW, 'free').planKey).toBe('glow_up');
  });

  it('prefers a paying subscription over a running trial', () => {
    const trial = account({ trialStatus: 'active', trialPlanKey: 'glow_up', trialEndsAt: LATER });
    expect(effectivePlan(trial, { status: 'active', planKey: 'fame_flex' }, NOW, 'free').planKey).toBe('fame_flex');
  });
});
