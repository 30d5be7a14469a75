import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../../src/database/embedded-postgres.starter.js';
import type { StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { type AppProcess, deliver, expectEachProcessedOnce, sleep, startAppProcess, startFaultStripe, subscriptionEvents } from './app-process.js';

/**
 * PostgreSQL stopped and started again under a running service: webhooks get 503 while it is
 * down (Stripe retries), /health says so, and the service recovers on its own: pool, LISTEN
 * connection and worker, with nothing acknowledged lost.
 */
describe('PostgreSQL stopped and restarted during a webhook flood', () => {
  let root: string;
  let port: number;
  let server: RunningEmbeddedPostgres;
  let stripe: { sim: StripeSimulator; customerIds: string[] };
  let app: AppProcess | undefined;

  const startDatabase = () =>
    startEmbeddedPostgres({ dir: join(root, 'data'), port, database: 'billing_outage', settings: { fsync: 'off' } });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'billing-outage-pg-'));
    await chmod(root, 0o755);
    port = await findFreePort(26_000 + Math.floor(Math.random() * 10_000));
    server = await startDatabase();
    stripe = await startFaultStripe(10);
  });
  afterAll(async () => {
    await app?.kill('SIGKILL');
    await server.stop();
    await stripe.sim.close();
    await rm(root, { recursive: true, force: true });
  });

  it('answers 503 while it is down and recovers without a restart', async () => {
    app = await startAppProcess({ databaseUrl: server.url, stripeUrl: stripe.sim.url });
    const before = subscriptionEvents(40, stripe.customerIds, 'before');
    const during = subscriptionEvents(20, stripe.customerIds, 'during');
    const after = subscriptionEvents(40, stripe.customerIds, 'after');

    expect(new Set((await deliver(app.url, before, 8)).values())).toEqual(new Set([200]));
    await server.stop();
    const refused = await deliver(app.url, during, 4);
    expect(new Set(refused.values())).toEqual(new Set([503]));
    expect((await fetch(`${app.url}/health`)).status).toBe(503);

    server = await startDatabase();
    let healthy = false;
    for (let i = 0; i < 150 && !healthy; i++) {
      healthy = (await fetch(`${app.url}/health`)).status === 200;
      if (!healthy) await sleep(200);
    }
    expect(healthy).toBe(true);
    // Stripe's retries of the refused events, then new traffic.
    const retried = await deliver(app.url, [...during, ...after], 8);
    expect(new Set(retried.values())).toEqual(new Set([200]));

    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    try {
      const ids = [...before, ...during, ...after].map((event) => event.id);
      await expectEachProcessedOnce(db, ids);
    } finally {
      await db.end();
    }
  }, 300_000);
});
