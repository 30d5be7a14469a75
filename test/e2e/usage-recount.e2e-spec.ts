import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReconciliationService } from '../../src/admin/reconciliation.service.js';
import { ManualClock } from '../../src/clock/clock.js';
import { RECOUNT_LOWER_GRACE_MS } from '../../src/enforcement/usage-recount.util.js';
import { COUNT_METRIC_PERIOD_START } from '../../src/enforcement/usage-window.util.js';
import { UsageService } from '../../src/enforcement/usage.service.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { campaignCount, CREATE_CAMPAIGN, setPlan, type CampaignData } from '../utils/enforcement-helpers.js';

/**
 * The recount of COUNT counters against the rows they count, as the reconciliation runs it
 * (verify-entitlements --fix, RECONCILE_CRON) while creations may be in flight, and as an
 * operator runs it for one business. Driven by the app's ManualClock.
 */
describe('usage recount', () => {
  const clock = new ManualClock(new Date('2026-11-21T12:00:00Z'));
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const counter = async (businessId: string): Promise<number> =>
    (await t.dataSource.query(`SELECT used FROM usage_counters WHERE business_id = $1 AND metric = 'campaigns'`, [businessId]))[0].used;
  const reconcile = (businessId: string) =>
    t.app.get(ReconciliationService).run({ fix: true, businessId, operator: { sub: 'system:test' }, source: 'scheduler' });

  async function withCampaigns(businessId: string, n: number): Promise<void> {
    await setPlan(t, businessId, { planKey: 'glow_up' });
    const token = await t.token({ business: businessId, role: 'member' });
    for (let i = 0; i < n; i++) {
      const res = await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: `c${i}` }, token);
      expect(res.errors).toBeUndefined();
    }
    expect(await campaignCount(t, businessId)).toBe(n);
  }

  /** A reservation whose request died before it created anything: the counter is one above the rows. */
  const reserveAndDie = (businessId: string) =>
    t.app.get(UsageService).reserve({ businessId, metric: 'campaigns', periodStart: COUNT_METRIC_PERIOD_START }, 1, 5, false);

  it('raises a counter below its rows at once', async () => {
    const businessId = 'biz_recount_low';
    await withCampaigns(businessId, 3);
    await t.dataSource.query(`UPDATE usage_counters SET used = 2 WHERE business_id = $1 AND metric = 'campaigns'`, [businessId]);
    const summary = await reconcile(businessId);
    expect(summary).toMatchObject({ usageRecounted: 1, usageErrors: 0 });
    expect(await counter(businessId)).toBe(3);
  });

  it('leaves a counter above its rows while it changed recently (a creation in flight looks so), and lowers it after the grace', async () => {
    const businessId = 'biz_recount_high';
    await withCampaigns(businessId, 2);
    await reserveAndDie(businessId);
    expect(await counter(businessId)).toBe(3);

    const first = await reconcile(businessId);
    expect(first).toMatchObject({ usageRecounted: 0, usageErrors: 0 });
    expect(first.accounts).toEqual([
      expect.objectContaining({ businessId, usageDrifts: [{ metric: 'campaigns', counter: 3, actual: 2 }], usageRecounted: false }),
    ]);
    expect(await counter(businessId)).toBe(3);
    clock.advance(RECOUNT_LOWER_GRACE_MS - 1_000);
    expect(await reconcile(businessId)).toMatchObject({ usageRecounted: 0 });
    expect(await counter(businessId)).toBe(3);

    clock.advance(1_000);
    expect(await reconcile(businessId)).toMatchObject({ usageRecounted: 1, usageErrors: 0 });
    expect(await counter(businessId)).toBe(2);
    const audits: { after: { usage: Record<string, unknown> } }[] = await t.dataSource.query(
      `SELECT after FROM admin_audit_log WHERE business_id = $1 AND action = 'recount_usage' ORDER BY id`,
      [businessId],
    );
    expect(audits.map((row) => row.after.usage.campaigns)).toEqual([
      { before: 3, after: 3, held: true },
      { before: 3, after: 3, held: true },
      { before: 3, after: 2 },
    ]);
  });

  it('counts a creation that commits after a recount held its reservation: the counter matches the rows', async () => {
    const businessId = 'biz_recount_in_flight';
    await withCampaigns(businessId, 1);
    // The guard's reservation committed; the handler has not inserted the campaign yet.
    await reserveAndDie(businessId);
    await reconcile(businessId);
    await t.dataSource.query(`INSERT INTO campaigns (business_id, name, created_by) VALUES ($1, 'landed after the recount', 'user_in_flight')`, [businessId]);
    expect([await counter(businessId), await campaignCount(t, businessId)]).toEqual([2, 2]);
  });

  it('lowers at once for an operator repairing one business (adminRecountUsage)', async () => {
    const businessId = 'biz_recount_admin';
    await withCampaigns(businessId, 2);
    await reserveAndDie(businessId);
    const admin = await t.token({ admin: true, user: 'ops_recount' });
    const res = await t.gql(`mutation($b: String!) { adminRecountUsage(businessId: $b, reason: "customer blocked") { businessId } }`, { b: businessId }, admin);
    expect(res.errors).toBeUndefined();
    expect(await counter(businessId)).toBe(2);
  });
});
