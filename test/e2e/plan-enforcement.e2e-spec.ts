import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CampaignsService } from '../../src/campaigns/campaigns.service.js';
import { EnforcementService } from '../../src/enforcement/enforcement.service.js';
import { carryUsageWindows } from '../../src/enforcement/usage-carry.util.js';
import { ENTITLEMENTS_CHANNEL } from '../../src/entitlements/entitlements.constant.js';
import { productionEnv } from '../factories/production-env.factory.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import {
  CAN_USE,
  campaignCount,
  COMPLETE_SEARCH,
  CREATE_CAMPAIGN,
  DELETE_CAMPAIGN,
  errorCodes,
  expectPlanLimitExceeded,
  expectRestPlanLimitExceeded,
  setPlan,
  START_SEARCH,
  usageOf,
  type CampaignData,
  type CanUseData,
  type SearchData,
} from '../utils/enforcement-helpers.js';

describe('plan enforcement', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    // A second instance on the same database, as behind a load balancer.
    b = await createTestApp({ databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const member = (business: string) => a.token({ business, role: 'member' });
  const create = (t: TestApp, token: string, name = 'c') => t.gql<CampaignData>(CREATE_CAMPAIGN, { name }, token);
  const search = (t: TestApp, token: string, n: number) => t.gql<SearchData>(START_SEARCH, { query: 'skincare', n }, token);

  async function fillCampaigns(business: string, token: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await create(a, token, `seed ${i}`);
      expect(res.errors).toBeUndefined();
    }
    expect(await campaignCount(a, business)).toBe(n);
  }

  describe('exact limits under concurrency', () => {
    it.each([
      ['lets exactly one of 64 concurrent createCampaign through at limit - 1', 'biz_race_one', () => a],
      ['holds across two instances on one database', 'biz_race_two', (i: number) => (i % 2 === 0 ? a : b)],
    ])('%s', async (_name, business, instance) => {
      const token = await member(business);
      await setPlan(a, business, { planKey: 'glow_up' });
      await fillCampaigns(business, token, 4);

      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => create(instance(i), token, `race ${i}`)));
      expect(errorCodes(results)).toEqual({ OK: 1, PLAN_LIMIT_EXCEEDED: 63 });
      expect(await campaignCount(a, business)).toBe(5);
      expect(await usageOf(a, business, 'campaigns')).toBe(5);
    });

    it('never refuses an unlimited plan, and still counts', async () => {
      const business = 'biz_unlimited';
      const token = await member(business);
      await setPlan(a, business, { planKey: 'fame_flex' });
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => create(i % 2 ? a : b, token, `u ${i}`)));
      expect(errorCodes(results)).toEqual({ OK: 64 });
      expect(await usageOf(a, business, 'campaigns')).toBe(64);
      const big = await search(a, token, 1_000_000);
      expect(big.data?.startCreatorSearch).toMatchObject({ requested: 1_000_000, granted: 1_000_000, partial: false });
    });

    it('grants concurrent partial requests no more than what is left in total', async () => {
      const business = 'biz_partial_race';
      const token = await member(business);
      await setPlan(a, business, { planKey: 'free' }); // 50 creators
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => search(i % 2 ? a : b, token, 7)));
      const granted = results.reduce((sum, r) => sum + (r.data?.startCreatorSearch.granted ?? 0), 0);
      expect(granted).toBe(50);
      expect(errorCodes(results)).toEqual({ OK: 8, PLAN_LIMIT_EXCEEDED: 12 });
      expect(await usageOf(a, business, 'creators')).toBe(50);
    });

    it('grants exactly the limit to 128 concurrent searches of mixed sizes on two instances', async () => {
      const business = 'biz_partial_mixed';
      const token = await member(business);
      await setPlan(a, business, { planKey: 'viral_surge' }); // 2500 creators
      const sizes = Array.from({ length: 128 }, (_, i) => 1 + ((i * 37) % 60));
      const results = await Promise.all(sizes.map((n, i) => search(i % 2 ? a : b, token, n)));
      const grants = results.map((r) => r.data?.startCreatorSearch.granted ?? 0);
      expect(grants.reduce((sum, g) => sum + g, 0)).toBe(Math.min(2500, sizes.reduce((sum, n) => sum + n, 0)));
      // Every grant is whole, except at most one partial one at the edge.
      expect(grants.filter((g, i) => g > 0 && g < sizes[i])).toHaveLength(results.filter((r) => r.data?.startCreatorSearch.partial).length);
      expect(results.filter((r) => r.data?.startCreatorSearch.partial).length).toBeLessThanOrEqual(1);
      expect(await usageOf(a, business, 'creators')).toBe(2500);
      const [{ granted }]: { granted: number }[] = await a.dataSource.query(
        'SELECT sum(granted)::int AS granted FROM creator_searches WHERE business_id = $1',
        [business],
      );
      expect(granted).toBe(2500);
    });
  });

  describe('denial', () => {
    /** A second campaign on the free plan (1 campaign): the same denial over GraphQL and REST. */
    const SECOND_FREE_CAMPAIGN = {
      metric: 'campaigns',
      used: 1,
      limit: 1,
      requested: 1,
      plan: 'free',
      upgradeRequired: true,
      suggestedPlan: 'glow_up',
    };

    it('is PLAN_LIMIT_EXCEEDED with the numbers and the cheapest plan that fits', async () => {
      const business = 'biz_denial';
      const token = await member(business);
      await fillCampaigns(business, token, 1); // no account: the free plan (1 campaign) applies
      expectPlanLimitExceeded(await create(a, token), SECOND_FREE_CAMPAIGN);
    });

    it('suggests the plan whose limit fits used + requested (none fitting gives null: plan-limit.util.spec)', async () => {
      const business = 'biz_denial_big';
      const token = await member(business);
      await setPlan(a, business, { planKey: 'viral_surge' }); // 2500 creators
      const first = await search(a, token, 2500);
      expect(first.data?.startCreatorSearch.granted).toBe(2500);
      expectPlanLimitExceeded(await search(a, token, 600), {
        metric: 'creators',
        used: 2500,
        limit: 2500,
        requested: 600,
        suggestedPlan: 'fame_flex',
      });
      await setPlan(a, business, { planKey: 'fame_flex' });
      expect((await search(a, token, 600)).data?.startCreatorSearch.granted).toBe(600);
    });

    it('answers REST with 403 and the same body', async () => {
      const business = 'biz_rest';
      const token = await member(business);
      const created = await a.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'one' });
      expect(created.status).toBe(201);
      const refused = await a.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'two' });
      expectRestPlanLimitExceeded(refused, SECOND_FREE_CAMPAIGN);
    });

    it('refuses a feature outside the plan with FEATURE_NOT_IN_PLAN, and serves it once upgraded', async () => {
      const business = 'biz_feature';
      const token = await member(business);
      const refused = await a.http().get('/api/campaigns/export.csv').set('authorization', `Bearer ${token}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        statusCode: 403,
        code: 'FEATURE_NOT_IN_PLAN',
        feature: 'csvExport',
        plan: 'free',
        upgradeRequired: true,
        suggestedPlan: 'glow_up',
      });
      await setPlan(a, business, { planKey: 'glow_up' });
      const served = await a.http().get('/api/campaigns/export.csv').set('authorization', `Bearer ${token}`);
      expect(served.status).toBe(200);
      expect(served.text).toBe('id,name,created_at');
    });

    it('decides a feature from the entitlements cache with no SQL', async () => {
      const caller = { userId: 'u', email: null, businessId: 'biz_no_sql', role: 'member' as const, isAdmin: false };
      const enforcement = a.app.get(EnforcementService);
      // A new account and no notification: nothing can evict the entry we are about to load
      // (our own invalidations loop back through NOTIFY a moment later and would).
      await setPlan(a, caller.businessId, { planKey: 'glow_up' }, false);
      await enforcement.requireFeature(caller, 'csvExport'); // loads into the cache
      // The entitlements service reads accounts through dataSource.query; other work of the app
      // (the webhook worker's polling) may query meanwhile, so only our tables count.
      const spy = jest.spyOn(a.dataSource, 'query');
      try {
        await enforcement.requireFeature(caller, 'csvExport');
        await expect(enforcement.requireFeature(caller, 'advancedAnalytics')).rejects.toMatchObject({
          code: 'FEATURE_NOT_IN_PLAN',
          details: { suggestedPlan: 'viral_surge' },
        });
        const ours = spy.mock.calls.filter(([sql]) => /billing_accounts|usage_counters|plans/.test(String(sql)));
        expect(ours).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });

    it('still requires a token', async () => {
      const res = await a.gql(CREATE_CAMPAIGN, { name: 'x' });
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('reservations follow what exists', () => {
    it('gives the reservation back when the resolver throws after it', async () => {
      const business = 'biz_throws';
      const token = await member(business);
      const service = a.app.get(CampaignsService);
      const spy = jest.spyOn(service, 'create').mockRejectedValueOnce(new Error('disk on fire'));
      try {
        const res = await create(a, token);
        expect(res.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      } finally {
        spy.mockRestore();
      }
      expect(await usageOf(a, business, 'campaigns')).toBe(0);
      // Input refused by validation, which runs after the guard: given back too.
      const invalid = await create(a, token, '');
      expect(invalid.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await usageOf(a, business, 'campaigns')).toBe(0);
      // The free plan's only slot is still there.
      expect((await create(a, token)).errors).toBeUndefined();
      expect(await usageOf(a, business, 'campaigns')).toBe(1);
    });

    it('frees a slot on delete, once', async () => {
      const business = 'biz_delete';
      const token = await member(business);
      const first = await create(a, token);
      expectPlanLimitExceeded(await create(a, token), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });
      const id = first.data!.createCampaign.id;
      const deleted = await a.gql<{ deleteCampaign: boolean }>(DELETE_CAMPAIGN, { id }, token);
      expect(deleted.data?.deleteCampaign).toBe(true);
      expect(await usageOf(a, business, 'campaigns')).toBe(0);
      const again = await a.gql(DELETE_CAMPAIGN, { id }, token);
      expect(again.errors?.[0].extensions?.code).toBe('CAMPAIGN_NOT_FOUND');
      expect(await usageOf(a, business, 'campaigns')).toBe(0);
      expect((await create(a, token)).errors).toBeUndefined();
      expect(await usageOf(a, business, 'campaigns')).toBe(await campaignCount(a, business));
    });

    it("cannot delete another business's campaign", async () => {
      const mine = await create(a, await member('biz_owner_a'));
      const other = await a.gql(DELETE_CAMPAIGN, { id: mine.data!.createCampaign.id }, await member('biz_owner_b'));
      expect(other.errors?.[0].extensions?.code).toBe('CAMPAIGN_NOT_FOUND');
      expect(await campaignCount(a, 'biz_owner_a')).toBe(1);
    });

    it('grants part of a search, settles the real count and gives the rest back', async () => {
      const business = 'biz_settle';
      const token = await member(business);
      const first = (await search(a, token, 30)).data!.startCreatorSearch; // free: 50 creators
      expect(first).toMatchObject({ requested: 30, granted: 30, partial: false, status: 'RUNNING' });
      const second = (await search(a, token, 500)).data!.startCreatorSearch;
      expect(second).toMatchObject({ requested: 500, granted: 20, partial: true });
      expect(await usageOf(a, business, 'creators')).toBe(50);
      expectPlanLimitExceeded(await search(a, token, 1), { metric: 'creators', used: 50, limit: 50, requested: 1, plan: 'free' });

      const done = await a.gql(COMPLETE_SEARCH, { id: first.id, found: 10 }, token);
      expect(done.data).toEqual({ completeCreatorSearch: { id: first.id, granted: 30, found: 10, status: 'COMPLETED' } });
      await a.gql(COMPLETE_SEARCH, { id: second.id, found: 5 }, token);
      expect(await usageOf(a, business, 'creators')).toBe(15);

      const twice = await a.gql(COMPLETE_SEARCH, { id: first.id, found: 0 }, token);
      expect(twice.errors?.[0].extensions?.code).toBe('CREATOR_SEARCH_ALREADY_COMPLETED');
      const third = (await search(a, token, 100)).data!.startCreatorSearch;
      expect(third.granted).toBe(35);
      const tooMany = await a.gql(COMPLETE_SEARCH, { id: third.id, found: 36 }, token);
      expect(tooMany.errors?.[0].extensions?.code).toBe('CREATORS_FOUND_OUT_OF_RANGE');
      expect(await usageOf(a, business, 'creators')).toBe(50);
    });
  });

  describe('canUse and GET /api/campaigns/can-create', () => {
    it('answers without reserving', async () => {
      const business = 'biz_can';
      const token = await member(business);
      const before = await a.gql<CanUseData>(CAN_USE, { metric: 'campaigns' }, token);
      expect(before.data?.canUse).toEqual({
        allowed: true,
        reason: 'WITHIN_LIMIT',
        plan: 'free',
        used: 0,
        limit: 1,
        requested: 1,
        remaining: 1,
        upgradeRequired: false,
        suggestedPlan: null,
      });
      await create(a, token);
      const rest = await a.http().get('/api/campaigns/can-create').set('authorization', `Bearer ${token}`);
      expect(rest.status).toBe(200);
      expect(rest.body).toEqual({
        allowed: false,
        reason: 'limit_exceeded',
        metric: 'campaigns',
        plan: 'free',
        used: 1,
        limit: 1,
        requested: 1,
        remaining: 0,
        upgradeRequired: true,
        suggestedPlan: 'glow_up',
      });
      const creators = await a.gql<CanUseData>(CAN_USE, { metric: 'creators', amount: 60 }, token);
      expect(creators.data?.canUse).toMatchObject({ allowed: false, remaining: 50, suggestedPlan: 'glow_up' });
      expect(await usageOf(a, business, 'campaigns')).toBe(1);
      expect(await usageOf(a, business, 'creators')).toBe(0);
    });

    it('reads the window a new anchor carried the count to while this instance still caches the old anchor (canUse, admin usage)', async () => {
      const business = 'biz_can_carried';
      const token = await member(business);
      const day = 86_400_000;
      const now = Date.now();
      await setPlan(a, business, { planKey: 'glow_up', period: { start: new Date(now - 5 * day), end: new Date(now + 25 * day) } });
      expect((await search(a, token, 30)).data?.startCreatorSearch.granted).toBe(30);
      const old = await a.app.get(EnforcementService).usageWindowOf(business, 'creators');
      // A sync elsewhere moved the anchor to now and carried the window's count; this instance is not told.
      const anchor = new Date(now);
      await setPlan(a, business, { planKey: 'glow_up', period: { start: anchor, end: new Date(now + 30 * day) } }, false);
      await a.dataSource.transaction((manager) =>
        carryUsageWindows(manager, business, [{ metric: 'creators', from: old.start, to: anchor }], new Date(now)),
      );
      // Its reservation, computed from the old anchor, is redirected to the new window...
      expect((await search(a, token, 20)).data?.startCreatorSearch.granted).toBe(20);
      expect((await a.app.get(EnforcementService).usageWindowOf(business, 'creators')).start).toEqual(old.start);
      // ...and so are its reads: the old window's row stays at 30, the count is 50.
      const can = await a.gql<CanUseData>(CAN_USE, { metric: 'creators', amount: 1 }, token);
      expect(can.data?.canUse).toMatchObject({ used: 50, limit: 500, remaining: 450 });
      const admin = await a.token({ admin: true, user: 'ops_carry' });
      const view = await a.gql<{ adminBillingAccount: { usage: { metric: string; used: number }[] } }>(
        `query($b: String) { adminBillingAccount(businessId: $b) { usage { metric used } } }`,
        { b: business },
        admin,
      );
      expect(view.data?.adminBillingAccount.usage.find((u) => u.metric === 'creators')?.used).toBe(50);
    });

    it('refuses an unknown metric and a non-positive amount', async () => {
      const token = await member('biz_can_bad');
      expect((await a.gql(CAN_USE, { metric: 'nope' }, token)).errors?.[0].extensions?.code).toBe('UNKNOWN_METRIC');
      expect((await a.gql(CAN_USE, { metric: 'creators', amount: 0 }, token)).errors?.[0].extensions?.code).toBe(
        'INVALID_AMOUNT',
      );
    });
  });

  describe('entitlements across instances', () => {
    async function pollCanCreate(t: TestApp, token: string, withinMs: number): Promise<number> {
      const started = Date.now();
      for (;;) {
        const res = await t.gql<CanUseData>(CAN_USE, { metric: 'campaigns' }, token);
        if (res.data?.canUse.allowed) return Date.now() - started;
        if (Date.now() - started > withinMs) throw new Error(`still refused after ${withinMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('enforces an upgrade made on one instance on the other within a second', async () => {
      const business = 'biz_propagate';
      const token = await member(business);
      // No account yet (the free plan applies) and no notification in flight for this business,
      // so nothing but the invalidation below can evict b's entry.
      await create(a, token);
      // Instance b caches the free plan...
      expectPlanLimitExceeded(await create(b, token), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });
      // ...and keeps serving it from the cache while nobody says the account changed.
      await setPlan(a, business, { planKey: 'glow_up' }, false);
      expectPlanLimitExceeded(await create(b, token), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });
      // Instance a applies a change as the webhook worker's billing sync does: the row change
      // and the NOTIFY in one transaction. b follows within a second.
      await a.dataSource.transaction(async (manager) => {
        await manager.query(`UPDATE billing_accounts SET plan_key = 'viral_surge', updated_at = now() WHERE business_id = $1`, [
          business,
        ]);
        await manager.query('SELECT pg_notify($1, $2)', [ENTITLEMENTS_CHANNEL, business]);
      });
      await expect(pollCanCreate(b, token, 1000)).resolves.toBeLessThanOrEqual(1000);
      expect((await create(b, token)).errors).toBeUndefined();
    });

    it('drops its cache when the listener connection is lost, so no stale plan is served', async () => {
      const business = 'biz_listener';
      const token = await member(business);
      await create(a, token);
      expectPlanLimitExceeded(await create(b, token), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });
      await a.dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'billing-service-entitlements' AND datname = current_database()`,
      );
      // Changed with no notification at all: only dropping the cache can reveal it.
      await setPlan(a, business, { planKey: 'glow_up' }, false);
      await expect(pollCanCreate(b, token, 3000)).resolves.toBeLessThanOrEqual(3000);
    });
  });

  describe('PLAN_VALIDATION_BYPASS and x-plan-bypass', () => {
    it('lets the header bypass limits outside production, still counting', async () => {
      const business = 'biz_header';
      const token = await member(business);
      await create(a, token);
      const bypassed = await a
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .set('x-plan-bypass', 'campaigns')
        .send({ query: CREATE_CAMPAIGN, variables: { name: 'extra' } });
      expect(bypassed.body.errors).toBeUndefined();
      expect(await usageOf(a, business, 'campaigns')).toBe(2);
      expectPlanLimitExceeded(await create(a, token), { metric: 'campaigns', used: 2, limit: 1, plan: 'free' });
      const otherMetric = await a
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .set('x-plan-bypass', 'creators')
        .send({ query: CREATE_CAMPAIGN, variables: { name: 'nope' } });
      expectPlanLimitExceeded(otherMetric, { metric: 'campaigns', used: 2, limit: 1, plan: 'free' });
    });

    it('bypasses the configured metrics in development', async () => {
      const dev = await createTestApp({ env: { NODE_ENV: 'development', PLAN_VALIDATION_BYPASS: 'campaigns' } });
      try {
        const token = await dev.token({ business: 'biz_dev_bypass', role: 'owner' });
        for (let i = 0; i < 3; i++) expect((await dev.gql(CREATE_CAMPAIGN, { name: `d${i}` }, token)).errors).toBeUndefined();
        expect(await usageOf(dev, 'biz_dev_bypass', 'campaigns')).toBe(3);
        const can = await dev.gql<CanUseData>(CAN_USE, { metric: 'campaigns' }, token);
        expect(can.data?.canUse).toMatchObject({ allowed: true, reason: 'BYPASSED' });
        // Only the listed metrics: creators keep their limit.
        await dev.gql(START_SEARCH, { query: 'q', n: 50 }, token);
        expectPlanLimitExceeded(await dev.gql(START_SEARCH, { query: 'q', n: 1 }, token), { metric: 'creators', used: 50, limit: 50 });
      } finally {
        await dev.close();
      }
    });

    // PLAN_VALIDATION_BYPASS itself is refused at boot there (load-config.spec.ts).
    it.each([
      ['in production', { NODE_ENV: 'production' }],
      ['on a real DATABASE_URL when NODE_ENV=production was forgotten', { NODE_ENV: 'development' }],
    ])('ignores the header %s', async (_name, nodeEnv) => {
      const prod = await createTestApp({
        databaseUrl: a.databaseUrl,
        env: productionEnv({
          ...nodeEnv,
          DATABASE_URL: a.databaseUrl,
          // A staging-like deployment: production settings on Stripe test mode.
          STRIPE_SECRET_KEY: 'sk_test_production_test',
          STRIPE_TEST_MODE_IN_PRODUCTION: 'true',
          WEBHOOK_WORKER_ENABLED: 'false',
        }),
      });
      try {
        expect(prod.config.developmentInfrastructure).toBe(false);
        const business = `biz_prod_${nodeEnv.NODE_ENV}`;
        const token = await prod.token({ business, role: 'owner' });
        expect((await prod.gql(CREATE_CAMPAIGN, { name: 'p1' }, token)).errors).toBeUndefined();
        const refused = await prod
          .http()
          .post('/graphql')
          .set('authorization', `Bearer ${token}`)
          .set('x-plan-bypass', 'all')
          .send({ query: CREATE_CAMPAIGN, variables: { name: 'p2' } });
        expectPlanLimitExceeded(refused, { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });
        const feature = await prod
          .http()
          .get('/api/campaigns/export.csv')
          .set('authorization', `Bearer ${token}`)
          .set('x-plan-bypass', 'all');
        expect(feature.status).toBe(403);
      } finally {
        await prod.close();
      }
    });
  });
});
