import { describe, expect, it } from '@jest/globals';
import { EnforcementErrorCode } from './enforcement.exception.js';
import { seedDenialFields } from './seed-denial-fields.util.js';

describe('seedDenialFields', () => {
  it('adds error, usage and upgrade_required to a plan limit denial', () => {
    expect(seedDenialFields(EnforcementErrorCode.PLAN_LIMIT_EXCEEDED, 'limit', { used: 5, limit: 5, upgradeRequired: true })).toEqual({
      error: 'limit',
      usage: { current: 5, limit: 5 },
      upgrade_required: true,
    });
  });

  it('adds error and upgrade_required to a feature denial', () => {
    expect(seedDenialFields(EnforcementErrorCode.FEATURE_NOT_IN_PLAN, 'no csv', { upgradeRequired: true })).toEqual({
      error: 'no csv',
      upgrade_required: true,
    });
  });

  it('adds nothing to other codes', () => {
    expect(seedDenialFields(EnforcementErrorCode.UNKNOWN_METRIC, 'x', {})).toEqual({});
  });
});
