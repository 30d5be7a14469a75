import type { EntityManager } from 'typeorm';
import { FILL_TARGET_SQL, MARK_SOURCE_SQL, REPOINT_SQL } from './enforcement.sql.js';
import type { UsageWindowCarry } from './usage-window.util.js';

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
