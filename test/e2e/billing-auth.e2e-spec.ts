import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

const BILLING_QUERY = `{ billing { businessId planSource subscribedPlanKey billingSyncStatus trialStatus
  plan { key limits { metric limit } features { key enabled } } } }`;

interface BillingData {
  billing: {
    businessId: string;
    planSource: string;
    subscribedPlanKey: string;
    billingSyncStatus: string;
    trialStatus: string;
    plan: { key: string; limits: { metric: string; limit: number }[] };
  };
}

describe('identity -> account -> plan', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates the account on first use, on the free plan, and logs it', async () => {
    const token = await t.token({ business: 'biz_first', role: 'owner', email: 'owner@example.com' });
    const res = await t.gql<BillingData>(BILLING_QUERY, undefined, token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.billing).toMatchObject({
      businessId: 'biz_first',
      planSource: 'DEFAULT',
      subscribedPlanKey: 'free',
      billingSyncStatus: 'account_created',
      trialStatus: 'inactive',
      plan: { key: 'free', limits: [{ metric: 'campaigns', limit: 1 }, { metric: 'creators', limit: 50 }] },
    });
    const [account] = await t.dataSource.query(
      'SELECT owner_user_id, billing_email, plan_key FROM billing_accounts WHERE business_id = $1',
      ['biz_first'],
    );
    expect(account).toEqual({ owner_user_id: 'user_biz_first_owner', billing_email: 'owner@example.com', plan_key: 'free' });
    const log = await t.dataSource.query('SELECT status, source FROM billing_sync_log WHERE business_id = $1', ['biz_first']);
    expect(log).toEqual([{ status: 'account_created', source: 'system' }]);
  });

  it('lets a member read the account', async () => {
    const owner = await t.token({ business: 'biz_member', role: 'owner' });
    const member = await t.token({ business: 'biz_member', role: 'member' });
    await t.gql(BILLING_QUERY, undefined, owner);
    const res = await t.gql<BillingData>(BILLING_QUERY, undefined, member);
    expect(res.errors).toBeUndefined();
    expect(res.data!.billing.businessId).toBe('biz_member');
  });

  it('creates exactly one account and one log row under concurrent first requests', async () => {
    const token = await t.token({ business: 'biz_race', role: 'member' });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.gql<BillingData>(BILLING_QUERY, undefined, token)));
    expect(results.every((r) => r.data?.billing.businessId === 'biz_race')).toBe(true);
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM billing_accounts WHERE business_id = $1', ['biz_race']);
    expect(count).toBe(1);
    const [{ logs }] = await t.dataSource.query('SELECT count(*)::int AS logs FROM billing_sync_log WHERE business_id = $1', ['biz_race']);
    expect(logs).toBe(1);
  });

  describe('refusals', () => {
    const expectCode = async (token: string | undefined, code: string) => {
      const res = await t.gql(BILLING_QUERY, undefined, token);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe(code);
    };

    it('UNAUTHENTICATED without a token', async () => {
      await expectCode(undefined, 'UNAUTHENTICATED');
    });

    it('UNAUTHENTICATED with a malformed token', async () => {
      await expectCode('not-a-jwt', 'UNAUTHENTICATED');
    });

    it('UNAUTHENTICATED with an expired token', async () => {
      const expired = await new SignJWT({ business_id: 'biz_x', role: 'owner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u1')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(new TextEncoder().encode(t.config.auth.jwtSecret!));
      const res = await t.gql(BILLING_QUERY, undefined, expired);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0]?.message).toBe('Token expired');
    });

    it('UNAUTHENTICATED with a token signed by another secret', async () => {
      const forged = await new SignJWT({ business_id: 'biz_x', role: 'owner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u1')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
      await expectCode(forged, 'UNAUTHENTICATED');
    });

    it('UNAUTHENTICATED with a token that names no business', async () => {
      const noBusiness = await new SignJWT({ role: 'owner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u1')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(t.config.auth.jwtSecret!));
      await expectCode(noBusiness, 'UNAUTHENTICATED');
    });

    it('FORBIDDEN for a caller without an account role', async () => {
      await expectCode(await t.token({ admin: true }), 'FORBIDDEN');
    });

    it('creates no account for a refused caller', async () => {
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM billing_accounts WHERE business_id = 'biz_x'`);
      expect(count).toBe(0);
    });
  });
});
