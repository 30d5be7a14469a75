import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PlansService } from '../../src/plans/plans.service.js';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';
import { CAN_USE, CREATE_CAMPAIGN, expectPlanLimitExceeded, setPlan, type CampaignData, type CanUseData } from '../utils/enforcement-helpers.js';

/**
 * A plan removed from the catalog file: the service restarts with the new file and the accounts
 * still on the old plan keep its limits; nobody can buy it any more.
 */
describe('retired plans', () => {
  let t: TestApp;
  const warn = jest.spyOn(Logger.prototype, 'warn');
  const error = jest.spyOn(Logger.prototype, 'error');

  beforeAll(async () => {
    // First boot: a catalog that still sells "legacy" (3 campaigns, csvExport).
    const catalog = JSON.parse(readFileSync(join(REPO_ROOT, 'catalogs/default.json'), 'utf8')) as { plans: Record<string, unknown>[] };
    catalog.plans.push({
      key: 'legacy',
      name: 'Legacy',
      prices: { monthly: 1900, yearly: 19000 },
      limits: { campaigns: 3, creators: 200 },
      features: { csvExport: true },
    });
    const path = join(tmpdir(), `h11a-legacy-catalog-${process.pid}.json`);
    writeFileSync(path, JSON.stringify(catalog));
    const before = await createTestApp({
      env: { PLAN_CATALOG_PATH: path, STRIPE_LEGACY_MONTHLY_PRICE_ID: 'price_legacy_monthly' },
    });
    await setPlan(before, 'biz_legacy', { planKey: 'legacy', period: { start: new Date(), end: new Date(Date.now() + 30 * 86_400_000) } });
    await before.close({ keepDatabase: true });

    // Second boot on the same database with the default catalog, which has no "legacy".
    warn.mockClear();
    error.mockClear();
    t = await createTestApp({ databaseUrl: before.databaseUrl });
  });
  afterAll(async () => {
    warn.mockRestore();
    error.mockRestore();
    await t?.close();
  });

  it('logs at boot the plan keys accounts use that the catalog lacks', () => {
    const messages = warn.mock.calls.map((call) => call.map(String).join(' '));
    expect(messages.some((m) => m.includes('plan "legacy" is not in the catalog but 1 account(s) use it'))).toBe(true);
    expect(error).not.toHaveBeenCalled();
  });

  it('keeps the retired plan working, with its limits, for the account on it', async () => {
    const token = await t.token({ business: 'biz_legacy', role: 'member' });
    const decision = await t.gql<CanUseData>(CAN_USE, { metric: 'campaigns', amount: 1 }, token);
    expect(decision.errors).toBeUndefined();
    expect(decision.data?.canUse).toMatchObject({ allowed: true, plan: 'legacy', limit: 3 });
    for (let i = 0; i < 3; i++) {
      const created = await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: `c${i}` }, token);
      expect(created.errors).toBeUndefined();
    }
    expectPlanLimitExceeded(await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'c4' }, token), { metric: 'campaigns', used: 3, plan: 'legacy', limit: 3 });
  });

  it('does not sell it, but still maps its Stripe price for renewals', async () => {
    const res = await t.gql<{ plans: { key: string }[] }>('{ plans { key } }');
    expect(res.data?.plans.map((p) => p.key)).toEqual(['free', 'glow_up', 'viral_surge', 'fame_flex']);
    const plans = t.app.get(PlansService);
    expect(plans.get('legacy')).toMatchObject({ retired: true, active: false, limits: { campaigns: 3, creators: 200 } });
    expect(plans.resolvePriceId('price_legacy_monthly')).toEqual({ planKey: 'legacy', interval: 'monthly' });
    const [row]: { active: boolean; stripe_monthly_price_id: string | null }[] = await t.dataSource.query(
      `SELECT active, stripe_monthly_price_id FROM plans WHERE key = 'legacy'`,
    );
    expect(row).toEqual({ active: false, stripe_monthly_price_id: 'price_legacy_monthly' });
  });

  it('gives a retired price id to a catalog plan that takes it over', async () => {
    const next = await createTestApp({ databaseUrl: t.databaseUrl, env: { STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_legacy_monthly' } });
    try {
      expect(next.app.get(PlansService).resolvePriceId('price_legacy_monthly')).toEqual({ planKey: 'glow_up', interval: 'monthly' });
      const rows: { key: string; stripe_monthly_price_id: string | null }[] = await next.dataSource.query(
        `SELECT key, stripe_monthly_price_id FROM plans WHERE key IN ('glow_up', 'legacy') ORDER BY key`,
      );
      expect(rows).toEqual([
        { key: 'glow_up', stripe_monthly_price_id: 'price_legacy_monthly' },
        { key: 'legacy', stripe_monthly_price_id: null },
      ]);
    } finally {
      await next.close({ keepDatabase: true });
    }
  });
});
