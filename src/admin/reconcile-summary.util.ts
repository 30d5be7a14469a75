import type { FieldDrift } from './billing-drift.util.js';

export interface UsageDrift {
  metric: string;
  counter: number;
  actual: number;
}

export interface AccountReconciliation {
  businessId: string;
  /** Null for an account without a Stripe customer: only its usage is checked. */
  customerId: string | null;
  drifts: FieldDrift[];
  usageDrifts: UsageDrift[];
  /** Set when the account could not be compared with Stripe (Stripe down, unknown price...). */
  error: string | null;
  fixed: boolean;
  /** With --fix: the drifted counters were recounted (the recount committed). */
  usageRecounted: boolean;
  /** Set when the usage check or its recount failed. */
  usageError: string | null;
}

export interface ReconcileSummary {
  /** Accounts compared with Stripe (those with a customer). */
  checked: number;
  inSync: number;
  drifted: number;
  fixed: number;
  errors: number;
  /** Accounts whose usage counters were compared with the product tables (every account). */
  usageChecked: number;
  /** Accounts whose drifted counters were recounted, successes only. */
  usageRecounted: number;
  /** Accounts whose usage check or recount failed. */
  usageErrors: number;
  /** COUNT metrics of the catalog that no recount can count (left as they are). */
  notRecountable: string[];
  /** Only the accounts that drifted or failed. */
  accounts: AccountReconciliation[];
}

export function emptySummary(notRecountable: string[]): ReconcileSummary {
  return { checked: 0, inSync: 0, drifted: 0, fixed: 0, errors: 0, usageChecked: 0, usageRecounted: 0, usageErrors: 0, notRecountable, accounts: [] };
}

/** Counts one account's result into the summary (which it mutates and returns). */
export function addToSummary(summary: ReconcileSummary, result: AccountReconciliation): ReconcileSummary {
  if (result.customerId !== null) {
    summary.checked++;
    if (result.error) summary.errors++;
    else if (result.drifts.length > 0) summary.drifted++;
    else summary.inSync++;
    if (result.fixed) summary.fixed++;
  }
  summary.usageChecked++;
  if (result.usageError) summary.usageErrors++;
  if (result.usageRecounted) summary.usageRecounted++;
  if (result.error || result.usageError || result.drifts.length > 0 || result.usageDrifts.length > 0) summary.accounts.push(result);
  return summary;
}

/** One progress line's verdict for an account. */
export function reconciliationVerdict(result: AccountReconciliation): string {
  if (result.error || result.usageError) return 'error';
  if (result.drifts.length > 0) return result.fixed ? 'drifted, fixed' : 'drifted';
  if (result.usageDrifts.length > 0) return result.usageRecounted ? 'usage recounted' : 'usage drifted';
  return result.customerId ? 'in sync' : 'usage in sync';
}
