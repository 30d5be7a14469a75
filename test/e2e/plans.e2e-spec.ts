import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

const PLANS_QUERY = `{
  plans {
    key name isFree sortOrder
    prices { interval amountCents currency stripePriceId }
    limits { metric limit unlimited kind period }
    features { key enabled }
  }
}`;

interface PlansData {
  plans: {
    key: string;
    isFree: boolean;
    prices: { interval: string; amountCents: number; stripePriceId: string | null }[];
    limits: { metric: string; limit: number; unlimited: boolean; kind: string; period: string | null }[];
    features: { key: string; enabled: boolean }[];
  }[];
}

describe('plans query', () => {
  describe('default catalog', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_glow_monthly' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('returns the four plans with limits, prices and features, without a token', async () => {
      const res = await t.gql<PlansData>(PLANS_QUERY);
      expect(res.errors).toBeUndefined();
      const plans = res.data!.plans;
      expect(plans.map((p) => p.key)).toEqual(['free', 'glow_up', 'viral_surge', 'fame_flex']);

      const free = plans[0];
      expect(free.isFree).toBe(true);
      expect(free.limits).toEqual([
        { metric: 'campaigns', limit: 1, unlimited: false, kind: 'COUNT', period: null },
        { metric: 'creators', limit: 50, unlimited: false, kind: 'PERIOD', period: 'month' },
      ]);

      const glowUp = plans[1];
      expect(glowUp.prices).toEqual([
        { interval: 'MONTHLY', amountCents: 2900, currency: 'usd', stripePriceId: 'price_glow_monthly' },
        { interval: 'YEARLY', amountCents: 29000, currency: 'usd', stripePriceId: null },
      ]);
      expect(glowUp.features).toContainEqual({ key: 'csvExport', enabled: true });

      const fameFlex = plans[3];
      expect(fameFlex.limits.every((l) => l.limit === -1 && l.unlimited)).toBe(true);
    });

    it('mirrors the catalog into the plans table', async () => {
      const rows = await t.dataSource.query(
        'SELECT key, active, stripe_monthly_price_id, limits FROM plans ORDER BY sort_order',
      );
      expect(rows.map((r: { key: string }) => r.key)).toEqual(['free', 'glow_up', 'viral_surge', 'fame_flex']);
      expect(rows[1].stripe_monthly_price_id).toBe('price_glow_monthly');
      expect(rows[0].limits).toEqual({ campaigns: { limit: 1, kind: 'count' }, creators: { limit: 50, kind: 'period' } });
    });
  });

  describe('another catalog selected by PLAN_CATALOG_PATH', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { PLAN_CATALOG_PATH: 'catalogs/free-pro.example.json' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves the Free/Pro product with its own metrics', async () => {
      const res = await t.gql<PlansData>(PLANS_QUERY);
      expect(res.errors).toBeUndefined();
      expect(res.data!.plans.map((p) => p.key)).toEqual(['free', 'pro']);
      const pro = res.data!.plans[1];
      expect(pro.limits.map((l) => [l.metric, l.limit, l.kind])).toEqual([
        ['aiChatMessages', 10000, 'PERIOD'],
        ['smsMessages', 500, 'PERIOD'],
        ['storedProducts', -1, 'COUNT'],
        ['users', 10, 'COUNT'],
      ]);
    });

    it('marks plans that left the catalog inactive instead of deleting them', async () => {
      // The template database is shared, so seed a plan the Free/Pro catalog does not know.
      await t.dataSource.query(
        `INSERT INTO plans (key, name, sort_order, currency, monthly_price_cents, yearly_price_cents, limits, features, active)
         VALUES ('legacy', 'Legacy', 9, 'eur', 100, 1000, '{}', '{}', true)`,
      );
      const second = await createTestApp({
        databaseUrl: t.databaseUrl,
        env: { PLAN_CATALOG_PATH: 'catalogs/free-pro.example.json' },
      });
      try {
        const rows = await second.dataSource.query(`SELECT key, active FROM plans WHERE key = 'legacy'`);
        expect(rows).toEqual([{ key: 'legacy', active: false }]);
      } finally {
        await second.close();
      }
    });
  });
});
