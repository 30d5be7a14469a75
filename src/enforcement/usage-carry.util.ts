import type { EntityManager } from 'typeorm';
import type { UsageWindowCarry } from './usage-window.util.js';

/**
 * Marks the old window's row as carried to the new one. Upserted at zero when the old window was
 * never used, so that a reservation still computed from the old anchor (a request that read the
 * account just before this commit) finds the row and is redirected (RESERVE_SQL in
 * usage.service.ts) instead of opening it. The row lock waits for reservations in flight on it,
 * so the count read here is final. $1 business, $2 metric, $3 from, $4 to.
 */
const MARK_SOURCE_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used, carried_to) VALUES ($1, $2, $3, 0, $4)
  ON CONFLICT (business_id, metric, period_start) DO UPDATE SET carried_to = EXCLUDED.carried_to, updated_at = now()
  RETURNING c.used`;

/**
 * The new window counts at least what the old one did. GREATEST, not a sum: switching back to an
 * anchor whose window already holds a count (yearly -> monthly -> yearly within a day) must not
 * count the same uses twice, and the window switched away from held them all. It counts, so it
 * points nowhere. $1 business, $2 metric, $3 to, $4 the old window's count.
 */
const FILL_TARGET_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used) VALUES ($1, $2, $3, $4)
  ON CONFLICT (business_id, metric, period_start)
  DO UPDATE SET used = GREATEST(c.used, EXCLUDED.used), carried_to = NULL, updated_at = now()`;

/** Windows carried into the old one now point at the new one: every redirect is one hop. */
const REPOINT_SQL = `
  UPDATE usage_counters SET carried_to = $4, updated_at = now()
   WHERE business_id = $1 AND metric = $2 AND carried_to = $3 AND period_start <> $4`;

/**
 * Applies usageWindowCarries' answer in the transaction of the sync that changed the anchor, so
 * the new anchor and the carried count commit together.
 */
export async function carryUsageWindows(manager: EntityManager, businessId: string, carries: readonly UsageWindowCarry[]): Promise<void> {
  for (const { metric, from, to } of carries) {
    const [source] = (await manager.query(MARK_SOURCE_SQL, [businessId, metric, from, to])) as { used: number }[];
    await manager.query(FILL_TARGET_SQL, [businessId, metric, to, source.used]);
    await manager.query(REPOINT_SQL, [businessId, metric, from, to]);
  }
}
