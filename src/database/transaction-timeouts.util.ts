import type { EntityManager } from 'typeorm';
import { LIMIT_TRANSACTION_WAITS } from './database.sql.js';

/** Longest wait for a lock (a customer's advisory lock, an account row) before giving up. */
export const LOCK_TIMEOUT = '5s';
/** A transaction left idle this long (a stuck caller) is ended by PostgreSQL, freeing its locks. */
export const IDLE_IN_TRANSACTION_TIMEOUT = '30s';

/**
 * Bounds the transaction's lock waits and idle time: a sync that cannot get its locks fails and
 * is retried, and a stuck session cannot hold a customer's rows for ever. SET LOCAL: the pooled
 * connection is back to its defaults after the transaction.
 */
export async function limitTransactionWaits(manager: EntityManager): Promise<void> {
  await manager.query(LIMIT_TRANSACTION_WAITS, [LOCK_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT]);
}
