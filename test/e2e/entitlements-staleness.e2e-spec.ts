import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { ManualClock } from '../../src/clock/clock.js';
import { EntitlementsService } from '../../src/entitlements/entitlements.service.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { CAN_USE, setPlan, type CanUseData } from '../utils/enforcement-helpers.js';

/**
 * How stale an instance's cached plan can get when invalidations are lost: the listener's
 * connection killed, the listener gone deaf, or a notification lost without anything noticing.
 */
describe('entitlements staleness bounds', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-22T00:00:00Z'));
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { LISTENER_HEARTBEAT_MS: '500' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const entitlements = () => t.app.get(EntitlementsService);
  async function planOf(business: string): Promise<string> {
    const token = await t.token({ business, role: 'member' });
    const res = await t.gql<CanUseData>(CAN_USE, { metric: 'campaigns' }, token);
    return res.data!.canUse.plan;
  }
  /** Polls until `business` is served `expected` (or 10 s pass), and returns what it was served last. */
  async function eventuallyServed(business: string, expected: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    let plan = await planOf(business);
    while (plan !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      plan = await planOf(business);
    }
    return plan;
  }
  /** A free business whose plan this instance has cached, then moved to glow_up behind its back. */
  async function cachedThenChanged(business: string): Promise<void> {
    expect(await eventuallyListening()).toBe(true);
    expect(await planOf(business)).toBe('free');
    await setPlan(t, business, { planKey: 'glow_up' }, false);
    // Served from the cache: the row changed, the answer did not.
    expect(await planOf(business)).toBe('free');
  }
  async function eventuallyListening(): Promise<boolean> {
    const deadline = Date.now() + 5_000;
    while (!entitlements().listening && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return entitlements().listening;
  }

  it('serves the new plan after the listener backend is killed (pg_terminate_backend)', async () => {
    await cachedThenChanged('biz_killed');
    const [{ killed }]: { killed: number }[] = await t.dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
        WHERE application_name = 'billing-service-entitlements' AND datname = current_database()`,
    );
    expect(killed).toBe(1);
    expect(await eventuallyServed('biz_killed', 'glow_up')).toBe('glow_up');
    expect(await eventuallyListening()).toBe(true);
  });

  it('serves the new plan when the listener goes deaf (UNLISTEN on its own connection)', async () => {
    await cachedThenChanged('biz_deaf');
    const listener = (entitlements() as unknown as { listener: { client: pg.Client } }).listener;
    await listener.client.query('UNLISTEN *');
    // The invalidation is sent, and this instance does not hear it: only the heartbeat can tell.
    await t.dataSource.query(`SELECT pg_notify('entitlements_changed', $1)`, ['biz_deaf']);
    expect(await eventuallyServed('biz_deaf', 'glow_up')).toBe('glow_up');
    expect(await eventuallyListening()).toBe(true);
  });

  it('re-reads a cached plan once the TTL has passed, even with no invalidation at all', async () => {
    await cachedThenChanged('biz_ttl');
    clock.advance(59_000);
    expect(await planOf('biz_ttl')).toBe('free');
    clock.advance(1_000);
    expect(await planOf('biz_ttl')).toBe('glow_up');
  });
});
