import type { BillingAccountEntity } from '../billing/billing-account.entity.js';
import type { TrialState } from './trial.types.js';

/** The billing_accounts columns that hold an account's trial. */
export type TrialColumns = Pick<
  BillingAccountEntity,
  'trialStatus' | 'trialSource' | 'trialPlanKey' | 'trialStartedAt' | 'trialEndsAt' | 'trialConvertedAt'
>;

/** The trial of an account as transitionTrial reads it. */
export function trialStateOf(account: TrialColumns): TrialState {
  return {
    status: account.trialStatus,
    source: account.trialSource,
    planKey: account.trialPlanKey,
    startDate: account.trialStartedAt,
    endDate: account.trialEndsAt,
    conversionDate: account.trialConvertedAt,
  };
}

/** The columns a trial state is written to (the inverse of trialStateOf). */
export function trialColumns(trial: TrialState): TrialColumns {
  return {
    trialStatus: trial.status,
    trialSource: trial.source,
    trialPlanKey: trial.planKey,
    trialStartedAt: trial.startDate,
    trialEndsAt: trial.endDate,
    trialConvertedAt: trial.conversionDate,
  };
}
