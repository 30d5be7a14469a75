/*
 * The raw SQL of src/database, and the generic statements (advisory locks, NOTIFY) other modules
 * share instead of writing their own copy. Lock keys are in advisory-locks.constant.ts.
 */

/** Takes a session-level advisory lock, waiting for it. $1 = lock key. */
export const TAKE_ADVISORY_LOCK = 'SELECT pg_advisory_lock($1)';

/** Takes a session-level advisory lock if free; answers one row { locked }. $1 = lock key. */
export const TRY_ADVISORY_LOCK = 'SELECT pg_try_advisory_lock($1) AS locked';

/** Releases a session-level advisory lock taken by TAKE_ or TRY_ADVISORY_LOCK. $1 = lock key. */
export const RELEASE_ADVISORY_LOCK = 'SELECT pg_advisory_unlock($1)';

/** Sends a NOTIFY (inside a transaction: delivered when it commits). $1 = channel, $2 = payload. */
export const NOTIFY = 'SELECT pg_notify($1, $2)';

/** Holds the Stripe customer's lock until the transaction ends. $1 = lock namespace, $2 = customer id. */
export const LOCK_STRIPE_CUSTOMER = 'SELECT pg_advisory_xact_lock($1, hashtext($2))';

/** Bounds the transaction's lock waits and idle time (SET LOCAL). $1 = lock_timeout, $2 = idle_in_transaction_session_timeout. */
export const LIMIT_TRANSACTION_WAITS = `SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`;

/** One row when the database exists. $1 = database name. */
export const DATABASE_EXISTS = 'SELECT 1 FROM pg_database WHERE datname = $1';

/** Creates a database; `quotedName` is already escaped (client.escapeIdentifier): DDL takes no parameters. */
export function createDatabase(quotedName: string): string {
  return `CREATE DATABASE ${quotedName}`;
}

/** Subscribes the session to a channel; `quotedChannel` is already escaped (client.escapeIdentifier). */
export function listen(quotedChannel: string): string {
  return `LISTEN ${quotedChannel}`;
}
