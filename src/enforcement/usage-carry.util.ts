import type { EntityManager } from 'typeorm';
import { FILL_TARGET_SQL, LOCK_CARRIED_INTO_SQL, MARK_SOURCE_SQL, REPOINT_SQL } from './enforcement.sql.js';
import type { UsageWindowCarry } from './usage-window.util.js';

/**
 * Applies usageWindowCarries' answer in the transaction of the sync that changed the anchor, so
 * the new anchor and the carried count commit together. Rows are locked in the order a give-back
 * takes them, a row before the row it was carried to: first the rows carried into `from`, then
 * `from`, then `to` (see LOCK_CARRIED_INTO_SQL).
 */
export async function carryUsageWindows(
  manager: EntityManager,
  businessId: string,
  carries: readonly UsageWindowCarry[],
  now: Date,
): Promise<void> {
  for (const { metric, from, to } of carries) {
    await manager.query(LOCK_CARRIED_INTO_SQL, [businessId, metric, from]);
    const [source] = (await manager.query(MARK_SOURCE_SQL, [businessId, metric, from, to, now])) as { used: number }[];
    await manager.query(FILL_TARGET_SQL, [businessId, metric, to, source.used, now]);
    await manager.query(REPOINT_SQL, [businessId, metric, from, to, now]);
  }
}
