import { describe, expect, it } from '@jest/globals';
import { classifyPlanChange, planChangeWhen, type PricedChoice } from './plan-change.util.js';

const glowMonthly: PricedChoice = { planKey: 'glow_up', interval: 'monthly', sortOrder: 1, yearlyAmount: 2900 * 12 };
const glowYearly: PricedChoice = { planKey: 'glow_up', interval: 'yearly', sortOrder: 1, yearlyAmount: 29000 };
const viralMonthly: PricedChoice = { planKey: 'viral_surge', interval: 'monthly', sortOrder: 2, yearlyAmount: 7900 * 12 };
const viralYearly: PricedChoice = { planKey: 'viral_surge', interval: 'yearly', sortOrder: 2, yearlyAmount: 79000 };

describe('classifyPlanChange', () => {
  it('is the same plan only for the same plan and interval', () => {
    expect(classifyPlanChange(glowMonthly, glowMonthly)).toBe('same');
  });

  it('orders plans by the catalog, whatever the interval', () => {
    expect(classifyPlanChange(glowMonthly, viralMonthly)).toBe('upgrade');
    expect(classifyPlanChange(glowYearly, viralMonthly)).toBe('upgrade');
    expect(classifyPlanChange(viralMonthly, glowYearly)).toBe('downgrade');
    expect(classifyPlanChange(viralYearly, glowMonthly)).toBe('downgrade');
  });

  it('on one plan, compares the yearly cost of the intervals', () => {
    expect(classifyPlanChange(glowMonthly, glowYearly)).toBe('downgrade');
    expect(classifyPlanChange(glowYearly, glowMonthly)).toBe('upgrade');
  });
});

describe('planChangeWhen', () => {
  it('applies upgrades now and downgrades at the period end by default', () => {
    expect(planChangeWhen('upgrade', null, false, false)).toBe('now');
    expect(planChangeWhen('downgrade', null, false, false)).toBe('period_end');
    expect(planChangeWhen('downgrade', null, true, false)).toBe('period_end');
  });

  it('applies an interval change of one plan now (Stripe resets the cycle)', () => {
    expect(planChangeWhen('downgrade', null, true, true)).toBe('now');
  });

  it('honours what the owner asked', () => {
    expect(planChangeWhen('downgrade', 'now', false, false)).toBe('now');
    expect(planChangeWhen('upgrade', 'period_end', false, false)).toBe('period_end');
  });
});
