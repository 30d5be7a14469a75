/**
 * Keys of the session-level PostgreSQL advisory locks the service takes, in one place so no two
 * jobs share one by accident. Per-customer locks use the two-int form with ADVISORY_NAMESPACE.
 */
export const ADVISORY_LOCK = {
  MIGRATIONS: 7_301_001,
  /**
   * Namespace of the session-level two-int locks a webhook worker holds on the customer (or
   * customer-less event) whose inbox rows it is processing, Stripe calls included. Not the
   * customer lock (7_302), which syncs take only around their short write transactions.
   */
  WEBHOOK_INBOX_NAMESPACE: 7_303,
  /** Held for a whole trial expiry run, so N instances run the job once at a time. */
  TRIAL_EXPIRY: 7_301_002,
  RECONCILIATION: 7_301_010,
} as const;
