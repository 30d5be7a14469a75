import { describe, expect, it } from '@jest/globals';
import type { PlanDefinition } from './plan-catalog.types.js';
import { toRetiredPlan } from './retired-plan.util.js';

const free: PlanDefinition = {
  key: 'free',
  name: 'Free',
  description: null,
  sortOrder: 0,
  currency: 'usd',
  prices: { monthly: 0, yearly: 0 },
  limits: { campaigns: 1, creators: 50, seats: 2 },
  features: { csvExport: false, sso: false },
  active: true,
  isFree: true,
  retired: false,
  trialDays: 0,
};

describe('toRetiredPlan', () => {
  it('keeps the stored limits and features, fills what the catalog added since from the default plan, and is never on sale', () => {
    const plan = toRetiredPlan(
      {
        key: 'legacy',
        name: 'Legacy',
        description: 'Old',
        currency: 'usd',
        monthlyPriceCents: 1900,
        yearlyPriceCents: 19000,
        limits: { campaigns: { limit: 3, kind: 'count' }, creators: { limit: -1, kind: 'period' }, gone: { limit: 9, kind: 'count' } },
        features: { csvExport: true },
      },
      [
        { key: 'campaigns', name: 'C', kind: 'count', window: null },
        { key: 'creators', name: 'Cr', kind: 'period', window: 'month' },
        { key: 'seats', name: 'S', kind: 'count', window: null },
      ],
      ['csvExport', 'sso'],
      free,
      7,
    );
    expect(plan).toEqual({
      key: 'legacy',
      name: 'Legacy',
      description: 'Old',
      sortOrder: 7,
      currency: 'usd',
      prices: { monthly: 1900, yearly: 19000 },
      limits: { campaigns: 3, creators: -1, seats: 2 },
      features: { csvExport: true, sso: false },
      active: false,
      isFree: false,
      retired: true,
      trialDays: 0,
    });
  });
});
