/**
 * Keys of the session-level PostgreSQL advisory locks the service takes, in one place so no two
 * jobs share one by accident. Per-customer locks use the two-int form with ADVISORY_NAMESPACE.
 */
export const ADVISORY_LOCK = {
  MIGRATIONS: 7_301_001,
  RECONCILIATION: 7_301_010,
} as const;
