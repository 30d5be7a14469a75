import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CAN_USE, CREATE_CAMPAIGN, expectPlanLimitExceeded, type CanUseData, type CampaignData } from '../utils/enforcement-helpers.js';
import {
  checkout,
  settle,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { EntitlementsService } from '../../src/entitlements/entitlements.service.js';

/**
 * The whole chain with nothing simulated but Stripe: a checkout on the simulator, its webhooks
 * applied by instance A, and the new limit enforced by instance B, which had the free plan cached.
 */
describe('an upgrade applied by a webhook on one instance is enforced by another', () => {
  let stripe: SimulatedStripe;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    a = await startBillingApp(stripe);
    b = await startBillingApp(stripe, { databaseUrl: a.databaseUrl, listen: false, env: { WEBHOOK_WORKER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await stripe.close();
  });

  it('within a second of the webhook being applied', async () => {
    // B serves entitlements from its cache (it listens for invalidations); no worker runs on B.
    expect(b.app.get(EntitlementsService).listening).toBe(true);
    const token = await b.token({ business: 'biz_upgrade', role: 'owner' });
    const first = await b.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'one' }, token);
    expect(first.errors).toBeUndefined();
    expectPlanLimitExceeded(await b.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'two' }, token), { plan: 'free', suggestedPlan: 'glow_up' });

    await checkout(stripe, 'biz_upgrade', stripe.prices.glow_up.monthly);
    await settle(stripe, [a]);
    const applied = Date.now();

    let decision: CanUseData['canUse'] | undefined;
    while (Date.now() - applied <= 1000) {
      const res = await b.gql<CanUseData>(CAN_USE, { metric: 'campaigns', amount: 1 }, token);
      decision = res.data?.canUse;
      if (decision?.allowed) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(decision).toMatchObject({ allowed: true, plan: 'glow_up', limit: 5, used: 1 });
    const second = await b.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'two' }, token);
    expect(second.errors).toBeUndefined();
  });
});
