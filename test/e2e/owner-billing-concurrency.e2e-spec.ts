import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TAKE_CHECKOUT_CLAIM } from '../../src/billing/billing.sql.js';
import { CheckoutSessionsService } from '../../src/billing/checkout-sessions.service.js';
import { startBillingApp, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { BILLING, ok, ownerToken, type BillingView } from '../utils/owner-billing-helpers.js';

// withTrial left to its default (true): the trial check reads the database too.
const CHECKOUT = `mutation($plan: String!, $interval: BillingInterval!) {
  createCheckoutSession(input: { planKey: $plan, interval: $interval }) { id url } }`;

/** More concurrent requests than the pool has connections (10, src/database/data-source-options.ts). */
const CALLERS = 24;

describe('owner checkout under load: more concurrent calls than pool connections, for one business', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    t = await startBillingApp(stripe, { env: { WEBHOOK_WORKER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const checkout = async (business: string, key: string | undefined) => {
    const res = await t.gql<{ createCheckoutSession: { id: string } }>(
      CHECKOUT,
      { plan: 'glow_up', interval: 'MONTHLY' },
      await ownerToken(t, business),
      key ? { 'idempotency-key': key } : {},
    );
    return { id: res.data?.createCheckoutSession?.id, errors: res.errors };
  };
  const openSessionsOf = async (business: string) => {
    const [{ stripe_customer_id: customer }] = await t.dataSource.query(
      'SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1',
      [business],
    );
    return (await stripe.stripe.checkout.sessions.list({ customer, status: 'open', limit: 100 })).data;
  };

  it.each([
    ['without an Idempotency-Key', 'biz_load_plain', () => undefined],
    ['with one Idempotency-Key', 'biz_load_keyed', () => 'load-key'],
  ])('answers every one of %s with the one open session, and the service answers billing afterwards', async (_label, business, key) => {
    // The account exists first, as it does for an owner who opened the billing page.
    await ok(t.gql<{ billing: BillingView }>(BILLING, {}, await ownerToken(t, business)));
    const answers = await Promise.all(Array.from({ length: CALLERS }, () => checkout(business, key())));
    expect(answers.map((a) => a.errors)).toEqual(Array(CALLERS).fill(undefined));
    const ids = new Set(answers.map((a) => a.id));
    expect(ids.size).toBe(1);
    expect((await openSessionsOf(business)).map((s) => s.id)).toEqual([...ids]);
    const { billing } = await ok(t.gql<{ billing: BillingView }>(BILLING, {}, await ownerToken(t, 'biz_load_bystander')));
    expect(billing.plan.key).toBe('free');
  });

  it('does not record a session for a caller whose claim another caller is taking over at the lease boundary', async () => {
    const business = 'biz_lease_edge';
    const [first, second] = [randomUUID(), randomUUID()];
    // The first caller's lease has just passed; the second caller takes the claim in a transaction not yet committed.
    await t.dataSource.query(`INSERT INTO checkout_claims (business_id, holder, expires_at) VALUES ($1, $2, clock_timestamp() - interval '1 second')`, [
      business,
      first,
    ]);
    const taker = t.dataSource.createQueryRunner();
    await taker.connect();
    try {
      await taker.startTransaction();
      expect(await taker.query(TAKE_CHECKOUT_CLAIM, [business, second, 120])).toEqual([{ holder: second }]);
      let answered = false;
      const recording = t.app
        .get(CheckoutSessionsService)
        .record(business, first, { id: 'cs_lease_edge', planKey: 'glow_up', interval: 'monthly', url: 'https://checkout.test/x', expiresAt: new Date(), trialDays: 0 }, new Date())
        .finally(() => {
          answered = true;
        });
      // The first caller must wait for the takeover to commit or roll back, not read the claim as it was.
      const waitsForTheClaim = async (): Promise<boolean> => {
        while (!answered) {
          const [{ waiting }]: { waiting: number }[] = await t.dataSource.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO checkout_sessions%'`,
          );
          if (waiting > 0) return true;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return false;
      };
      expect(await waitsForTheClaim()).toBe(true);
      await taker.commitTransaction();
      expect(await recording).toBe(false);
    } finally {
      if (taker.isTransactionActive) await taker.rollbackTransaction();
      await taker.release();
    }
    expect(await t.dataSource.query(`SELECT id FROM checkout_sessions WHERE id = 'cs_lease_edge'`)).toEqual([]);
  });
});
