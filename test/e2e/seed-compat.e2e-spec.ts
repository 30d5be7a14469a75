import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, expectPlanLimitExceeded, expectRestPlanLimitExceeded } from '../utils/enforcement-helpers.js';

describe('REST denials carry the seed system field names beside ours', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token({ business: 'biz_seed', role: 'owner' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('PLAN_LIMIT_EXCEEDED: error, usage { current, limit }, upgrade_required', async () => {
    const post = () => t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'one' });
    expect((await post()).status).toBe(201);
    // The helper checks error, usage { current, limit } and upgrade_required beside our names.
    expectRestPlanLimitExceeded(
      await post(),
      { metric: 'campaigns', used: 1, limit: 1, requested: 1, plan: 'free', upgradeRequired: true, suggestedPlan: 'glow_up' },
      { message: /^Plan limit reached: 1 of 1 campaigns/ },
    );
  });

  it('FEATURE_NOT_IN_PLAN: error and upgrade_required', async () => {
    const denied = await t.http().get('/api/campaigns/export.csv').set('authorization', `Bearer ${token}`);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'FEATURE_NOT_IN_PLAN', upgrade_required: true, error: denied.body.message });
  });

  it('GraphQL keeps our names only', async () => {
    const res = await t.gql(CREATE_CAMPAIGN, { name: 'two' }, token);
    expectPlanLimitExceeded(res, { used: 1, limit: 1, upgradeRequired: true });
    expect(res.errors?.[0]?.extensions).not.toHaveProperty('upgrade_required');
    expect(res.errors?.[0]?.extensions).not.toHaveProperty('usage');
  });
});
