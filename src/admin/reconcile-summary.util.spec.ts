import { describe, expect, it } from '@jest/globals';
import { type AccountReconciliation, addToSummary, emptySummary, reconciliationVerdict } from './reconcile-summary.util.js';

const account = (overrides: Partial<AccountReconciliation>): AccountReconciliation => ({
  businessId: 'biz',
  customerId: 'cus_1',
  drifts: [],
  usageDrifts: [],
  error: null,
  fixed: false,
  usageRecounted: false,
  usageError: null,
  ...overrides,
});
const usageDrift = { metric: 'campaigns', counter: 4, actual: 1 };

describe('addToSummary', () => {
  it('counts an account without a customer for usage only', () => {
    const summary = addToSummary(emptySummary([]), account({ customerId: null }));
    expect(summary).toMatchObject({ checked: 0, inSync: 0, usageChecked: 1, accounts: [] });
  });

  it('counts a recount only when it committed, and a failed one as a usage error that is listed', () => {
    const failed = account({ customerId: null, usageDrifts: [usageDrift], usageError: 'recount refused' });
    const summary = addToSummary(addToSummary(emptySummary([]), failed), account({ usageDrifts: [usageDrift], usageRecounted: true }));
    expect(summary).toMatchObject({ checked: 1, inSync: 1, errors: 0, usageChecked: 2, usageRecounted: 1, usageErrors: 1 });
    expect(summary.accounts).toEqual([failed, expect.objectContaining({ usageRecounted: true })]);
  });

  it('counts drift, fixes and Stripe errors of accounts with a customer', () => {
    const drift = { field: 'planKey' as const, ours: 'free', stripe: 'glow_up' };
    let summary = emptySummary(['seats']);
    summary = addToSummary(summary, account({ drifts: [drift], fixed: true }));
    summary = addToSummary(summary, account({ error: 'Stripe: timeout' }));
    summary = addToSummary(summary, account({}));
    expect(summary).toMatchObject({ checked: 3, inSync: 1, drifted: 1, fixed: 1, errors: 1, usageErrors: 0, notRecountable: ['seats'] });
    expect(summary.accounts).toHaveLength(2);
  });
});

describe('reconciliationVerdict', () => {
  it('names what happened to the account', () => {
    expect(reconciliationVerdict(account({}))).toBe('in sync');
    expect(reconciliationVerdict(account({ customerId: null }))).toBe('usage in sync');
    expect(reconciliationVerdict(account({ customerId: null, usageDrifts: [usageDrift] }))).toBe('usage drifted');
    expect(reconciliationVerdict(account({ usageDrifts: [usageDrift], usageRecounted: true }))).toBe('usage recounted');
    expect(reconciliationVerdict(account({ usageError: 'x' }))).toBe('error');
  });
});
