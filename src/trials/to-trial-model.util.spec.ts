import { describe, expect, it } from '@jest/globals';
import { toTrialModel } from './to-trial-model.util.js';
import { INACTIVE_TRIAL, type TrialState } from './trial.types.js';

const START = new Date('2026-11-01T00:00:00Z');
const END = new Date('2026-11-15T00:00:00Z');
const active: TrialState = { status: 'active', source: 'app', planKey: 'glow_up', startDate: START, endDate: END, conversionDate: null };

describe('toTrialModel', () => {
  it('shows an inactive trial with nulls', () => {
    expect(toTrialModel(INACTIVE_TRIAL, START)).toEqual({
      status: 'inactive',
      planKey: null,
      startDate: null,
      endDate: null,
      conversionDate: null,
      daysLeft: null,
    });
  });

  it.each([
    ['2026-11-01T00:00:00Z', 14],
    ['2026-11-14T00:00:01Z', 1],
    ['2026-11-14T23:59:59Z', 1],
    ['2026-11-15T00:00:00Z', 0],
    ['2026-11-20T00:00:00Z', 0],
  ])('counts days left of an active trial at %s: %i', (at, days) => {
    expect(toTrialModel(active, new Date(at)).daysLeft).toBe(days);
  });

  it('gives no days left once the trial expired or converted', () => {
    expect(toTrialModel({ ...active, status: 'expired' }, START).daysLeft).toBeNull();
    expect(toTrialModel({ ...active, status: 'converted', conversionDate: END }, START)).toMatchObject({
      status: 'converted',
      conversionDate: END,
      daysLeft: null,
    });
  });
});
