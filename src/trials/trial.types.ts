import type { TrialStatus } from '../billing/billing-account.entity.js';

export type { TrialStatus };

/** Who runs the trial: Stripe (a trialing subscription) or this service (card-less). */
export const TRIAL_SOURCES = ['stripe', 'app'] as const;
export type TrialSource = (typeof TRIAL_SOURCES)[number];

/** One business's trial, as billing_accounts holds it. A business has at most one trial, ever. */
export interface TrialState {
  status: TrialStatus;
  /** Meaningful once the trial started; 'app' (the column default) before. */
  source: TrialSource;
  planKey: string | null;
  startDate: Date | null;
  endDate: Date | null;
  conversionDate: Date | null;
}

/** The billing_sync_log status each transition writes. */
export const TRIAL_LOG_STATUSES = ['trial_started', 'trial_converted', 'trial_expired', 'trial_extended'] as const;
export type TrialLogStatus = (typeof TRIAL_LOG_STATUSES)[number];

/** Domain events for the host app (emails, analytics), emitted after the change commits. */
export enum TrialDomainEventName {
  STARTED = 'trial.started',
  CONVERTED = 'trial.converted',
  EXPIRED = 'trial.expired',
  WILL_END = 'trial.will_end',
}

export interface TrialDomainEvent {
  name: TrialDomainEventName;
  businessId: string;
  planKey: string | null;
  source: TrialSource;
  startDate: Date | null;
  endDate: Date | null;
  /** When it happened, by the service's Clock (or the expiry run's "as of" time). */
  at: Date;
}

export const INACTIVE_TRIAL: TrialState = {
  status: 'inactive',
  source: 'app',
  planKey: null,
  startDate: null,
  endDate: null,
  conversionDate: null,
};
