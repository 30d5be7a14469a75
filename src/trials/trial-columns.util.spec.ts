import { describe, expect, it } from '@jest/globals';
import { trialColumns, trialStateOf } from './trial-columns.util.js';
import type { TrialState } from './trial.types.js';

describe('trial columns', () => {
  it('writes a trial to its columns and reads the same trial back', () => {
    const trial: TrialState = {
      status: 'converted',
      source: 'app',
      planKey: 'glow_up',
      startDate: new Date('2026-11-01T10:00:00Z'),
      endDate: new Date('2026-11-15T10:00:00Z'),
      conversionDate: new Date('2026-11-10T08:00:00Z'),
    };
    const columns = trialColumns(trial);
    expect(columns).toEqual({
      trialStatus: 'converted',
      trialSource: 'app',
      trialPlanKey: 'glow_up',
      trialStartedAt: trial.startDate,
      trialEndsAt: trial.endDate,
      trialConvertedAt: trial.conversionDate,
    });
    expect(trialStateOf(columns)).toEqual(trial);
  });
});
