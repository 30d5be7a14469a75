import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { campaignCount, CREATE_CAMPAIGN, setPlan } from '../utils/enforcement-helpers.js';

/** Limits are money: with the database gone a guarded mutation fails closed, with an error a client can retry on. */
describe('guarded endpoints with the database down', () => {
  let t: TestApp;
  let admin: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    await admin.close();
  });

  it('createCampaign is refused with a retryable error and grants nothing', async () => {
    await setPlan(t, 'biz_down', { planKey: 'glow_up' });
    const token = await t.token({ business: 'biz_down', role: 'owner' });
    // Warm the entitlement cache: a cache hit must not be enough to grant a metered create.
    expect((await t.gql(CREATE_CAMPAIGN, { name: 'before' }, token)).errors).toBeUndefined();
    const dbName = new URL(t.databaseUrl).pathname.slice(1);
    let res;
    try {
      await admin.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await admin.dataSource.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
      res = await t.gql(CREATE_CAMPAIGN, { name: 'during' }, token);
    } finally {
      await admin.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    }
    expect(res.data?.createCampaign ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(await campaignCount(t, 'biz_down')).toBe(1);
  });
});
