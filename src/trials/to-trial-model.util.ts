import { TrialStatusModel, type TrialModel } from './trial.model.js';
import type { TrialState } from './trial.types.js';

const DAY_MS = 86_400_000;

/** What `billing.trial` shows at `now`: days left count a started day as a whole one. */
export function toTrialModel(trial: TrialState, now: Date): TrialModel {
  const running = trial.status === 'active' && trial.endDate !== null;
  return {
    status: TrialStatusModel[trial.status],
    planKey: trial.planKey,
    startDate: trial.startDate,
    endDate: trial.endDate,
    conversionDate: trial.conversionDate,
    daysLeft: running ? Math.max(0, Math.ceil((trial.endDate!.getTime() - now.getTime()) / DAY_MS)) : null,
  };
}
