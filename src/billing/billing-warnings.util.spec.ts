import { describe, expect, it } from '@jest/globals';
import { BillingWarningCode } from './billing-account.model.js';
import { billingWarnings, overLimitOf, type WarningState } from './billing-warnings.util.js';

const NOW = new Date('2026-06-10T00:00:00Z');
const base: WarningState = {
  subscriptionStatus: 'active',
  gracePeriodEndsAt: null,
  cancelAtPeriodEnd: false,
  cancelAt: null,
  currentPeriodEnd: new Date('2026-07-01T00:00:00Z'),
  overLimit: [],
};

describe('overLimitOf', () => {
  it('lists only limited metrics used beyond the limit', () => {
    expect(
      overLimitOf([
        { metric: 'campaigns', used: 3, limit: 1 },
        { metric: 'creators', used: 50, limit: 50 },
        { metric: 'seats', used: 900, limit: -1 },
      ]),
    ).toEqual([{ metric: 'campaigns', used: 3, limit: 1 }]);
  });
});

describe('billingWarnings', () => {
  it('says nothing for a healthy subscription', () => {
    expect(billingWarnings(base, NOW)).toEqual([]);
  });

  it('warns of a past-due payment with the grace end, during and after the grace', () => {
    const grace = new Date('2026-06-12T00:00:00Z');
    const during = billingWarnings({ ...base, subscriptionStatus: 'past_due', gracePeriodEndsAt: grace }, NOW);
    expect(during).toEqual([{ code: BillingWarningCode.PAYMENT_PAST_DUE, message: expect.stringContaining('kept until'), until: grace }]);
    const after = billingWarnings({ ...base, subscriptionStatus: 'past_due', gracePeriodEndsAt: grace }, new Date('2026-06-13T00:00:00Z'));
    expect(after).toEqual([{ code: BillingWarningCode.PAYMENT_PAST_DUE, message: expect.stringContaining('grace period is over'), until: grace }]);
  });

  it('warns of a cancellation at period end with the end date, only while the subscription runs', () => {
    expect(billingWarnings({ ...base, cancelAtPeriodEnd: true }, NOW)).toEqual([
      { code: BillingWarningCode.CANCELS_AT_PERIOD_END, message: expect.any(String), until: base.currentPeriodEnd },
    ]);
    const at = new Date('2026-06-20T00:00:00Z');
    expect(billingWarnings({ ...base, cancelAt: at }, NOW)[0].until).toEqual(at);
    expect(billingWarnings({ ...base, subscriptionStatus: 'canceled', cancelAtPeriodEnd: true }, NOW)).toEqual([]);
  });

  it('gives one OVER_LIMIT warning per metric over its limit', () => {
    const warnings = billingWarnings(
      { ...base, subscriptionStatus: null, overLimit: [{ metric: 'campaigns', used: 4, limit: 1 }, { metric: 'creators', used: 80, limit: 50 }] },
      NOW,
    );
    expect(warnings.map((w) => [w.code, w.message.split(':')[0]])).toEqual([
      [BillingWarningCode.OVER_LIMIT, 'campaigns'],
      [BillingWarningCode.OVER_LIMIT, 'creators'],
    ]);
  });
});
