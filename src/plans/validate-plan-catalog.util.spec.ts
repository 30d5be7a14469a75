import { describe, expect, it } from '@jest/globals';
import { validatePlanCatalog } from './validate-plan-catalog.util.js';

const valid = () => ({
  currency: 'usd',
  defaultPlan: 'free',
  metrics: [
    { key: 'seats', name: 'Seats', kind: 'count' },
    { key: 'calls', name: 'API calls', kind: 'period' },
  ],
  featureKeys: ['sso'],
  plans: [
    { key: 'free', name: 'Free', prices: { monthly: 0, yearly: 0 }, limits: { seats: 1, calls: 100 }, features: {} },
    { key: 'team', name: 'Team', prices: { monthly: 1000, yearly: 10000 }, limits: { seats: -1, calls: 5000 }, features: { sso: true } },
  ],
});

describe('validatePlanCatalog', () => {
  it('accepts a valid catalog and fills defaults', () => {
    const { catalog, errors } = validatePlanCatalog(valid());
    expect(errors).toEqual([]);
    expect(catalog!.plans[0]).toMatchObject({ key: 'free', isFree: true, sortOrder: 0, active: true, features: { sso: false } });
    expect(catalog!.plans[1]).toMatchObject({ key: 'team', isFree: false, sortOrder: 1, limits: { seats: -1, calls: 5000 } });
  });

  it('gives PERIOD metrics a monthly window unless they declare billing_period, and COUNT metrics none', () => {
    const raw = valid();
    raw.metrics.push({ key: 'seatsUsed', name: 'Per period', kind: 'period', window: 'billing_period' } as never);
    raw.plans.forEach((plan) => ((plan.limits as Record<string, number>).seatsUsed = 1));
    const { catalog, errors } = validatePlanCatalog(raw);
    expect(errors).toEqual([]);
    expect(catalog!.metrics.map((m) => [m.key, m.window])).toEqual([
      ['seats', null],
      ['calls', 'month'],
      ['seatsUsed', 'billing_period'],
    ]);
  });

  it('refuses an unknown window, and a window on a COUNT metric', () => {
    const raw = valid();
    (raw.metrics[1] as { window?: string }).window = 'week';
    expect(validatePlanCatalog(raw).errors).toEqual([expect.stringMatching(/^metrics\.1\.window: /)]);
    const count = valid();
    (count.metrics[0] as { window?: string }).window = 'month';
    expect(validatePlanCatalog(count).errors).toEqual(['metrics[0] (seats).window: only PERIOD metrics have a window']);
  });

  it('refuses a non-object', () => {
    expect(validatePlanCatalog([]).errors).toEqual(['catalog: must be a JSON object']);
    expect(validatePlanCatalog(null).errors).toEqual(['catalog: must be a JSON object']);
  });

  it('reports shape errors with their path', () => {
    const bad = valid();
    (bad.plans[1] as { key: string }).key = 'Team Plan';
    (bad.metrics[0] as { kind: string }).kind = 'gauge';
    const { errors } = validatePlanCatalog(bad);
    expect(errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^plans\.1\.key: /), expect.stringMatching(/^metrics\.0\.kind: /)]),
    );
  });

  it('reports every cross-plan rule broken', () => {
    const bad = valid();
    bad.plans[1].limits = { seats: -2 } as never;
    (bad.plans[1].features as Record<string, boolean>).sms = true;
    bad.plans.push({ ...bad.plans[0] });
    bad.defaultPlan = 'team';
    const { errors, catalog } = validatePlanCatalog(bad);
    expect(catalog).toBeUndefined();
    expect(errors).toEqual([
      'plans: plan keys must be unique',
      'plans[1] (team).limits.seats: must be an integer >= 0, or -1 for unlimited',
      'plans[1] (team).limits.calls: missing; every catalog metric needs a limit (-1 = unlimited)',
      'plans[1] (team).features.sms: not in featureKeys',
      'defaultPlan: "team" must be free (both prices 0)',
    ]);
  });

  it('refuses a limit on a metric the catalog does not declare', () => {
    const bad = valid();
    (bad.plans[0].limits as Record<string, number>).storage = 5;
    expect(validatePlanCatalog(bad).errors).toEqual([
      'plans[0] (free).limits.storage: not a catalog metric (known: seats, calls)',
    ]);
  });

  it('reads trialDays (absent = 0) and refuses a trial on a free plan or a negative one', () => {
    const withTrial = valid();
    (withTrial.plans[1] as { trialDays?: number }).trialDays = 14;
    const { catalog } = validatePlanCatalog(withTrial);
    expect(catalog!.plans.map((p) => p.trialDays)).toEqual([0, 14]);

    const bad = valid();
    (bad.plans[0] as { trialDays?: number }).trialDays = 7;
    expect(validatePlanCatalog(bad).errors).toEqual(['plans[0] (free).trialDays: a free plan has nothing to try; use 0']);
    (bad.plans[0] as { trialDays?: number }).trialDays = -1;
    expect(validatePlanCatalog(bad).errors.join('\n')).toMatch(/trialDays/);
  });
});
