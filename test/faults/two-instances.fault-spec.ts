import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database.js';
import { type AppProcess, deliver, expectEachProcessedOnce, startAppProcess, startFaultStripe, subscriptionEvents } from './app-process.js';

describe('two service instances on one database', () => {
  let stripe: { sim: StripeSimulator; customerIds: string[] };
  let databaseUrl: string;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    stripe = await startFaultStripe(10);
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.kill('SIGKILL');
    await dropTestDatabase(databaseUrl);
    await stripe.sim.close();
  });

  it('process each event exactly once, whichever instance received it (and with duplicates sent to both)', async () => {
    apps.push(await startAppProcess({ databaseUrl, stripeUrl: stripe.sim.url }));
    apps.push(await startAppProcess({ databaseUrl, stripeUrl: stripe.sim.url }));
    const events = subscriptionEvents(150, stripe.customerIds, 'pair');
    let turn = 0;
    const outcomes = await deliver(() => apps[turn++ % 2].url, [...events, ...events], 8);
    expect(new Set(outcomes.values())).toEqual(new Set([200]));

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const ids = events.map((event) => event.id);
      await expectEachProcessedOnce(db, ids);
      // Both workers were listening throughout (each is woken by either instance's NOTIFY).
      const listeners = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'billing-webhook-listener'`,
      );
      expect(listeners.rows[0].n).toBe(2);
    } finally {
      await db.end();
    }
  }, 300_000);
});
