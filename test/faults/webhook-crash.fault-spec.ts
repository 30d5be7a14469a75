import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database.js';
import { type AppProcess, type Delivery, deliver, sleep, startAppProcess, startFaultStripe, subscriptionEvents } from './app-process.js';

/** Waits until no event is pending or failed, then returns per-event facts. */
async function settled(db: pg.Client, prefix: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await db.query(`SELECT count(*)::int AS n FROM stripe_events WHERE id LIKE $1 AND status IN ('pending', 'failed')`, [`evt_${prefix}_%`]);
    if (open.rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error(`${open.rows[0].n} events still open`);
    await sleep(200);
  }
  const rows = await db.query<{ id: string; status: string; applied: number }>(
    `SELECT e.id, e.status, (SELECT count(*)::int FROM billing_sync_log l WHERE l.event_id = e.id) AS applied
     FROM stripe_events e WHERE e.id LIKE $1`,
    [`evt_${prefix}_%`],
  );
  return new Map(rows.rows.map((row) => [row.id, row]));
}

describe('kill -9 of the service during a webhook flood', () => {
  let stripe: { sim: StripeSimulator; customerIds: string[] };
  let databaseUrl: string;
  let db: pg.Client;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    stripe = await startFaultStripe(20);
    databaseUrl = await createTestDatabase();
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    for (const app of apps) await app.kill('SIGKILL');
    await db.end();
    await dropTestDatabase(databaseUrl);
    await stripe.sim.close();
  });

  it('every event answered 200 is processed exactly once; the unanswered ones are accepted on retry', async () => {
    const events = subscriptionEvents(300, stripe.customerIds, 'crash');
    const first = await startAppProcess({ databaseUrl, stripeUrl: stripe.sim.url });
    apps.push(first);
    let acked = 0;
    const outcomes = await deliver(first.url, events, 16, (_id, outcome) => {
      if (outcome === 200 && ++acked === 100) void first.kill('SIGKILL');
    });
    const answered = [...outcomes].filter(([, outcome]) => outcome === 200).map(([id]) => id);
    const unanswered = events.filter((event) => outcomes.get(event.id) !== 200);
    // The kill landed mid-flood: some were acknowledged, some never answered.
    expect(answered.length).toBeGreaterThanOrEqual(100);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(new Set([...outcomes.values()].filter((o): o is Delivery => o !== 200))).toEqual(new Set(['no answer']));

    // Stripe retries what was not acknowledged, against the restarted service.
    const second = await startAppProcess({ databaseUrl, stripeUrl: stripe.sim.url, port: first.port });
    apps.push(second);
    const retried = await deliver(second.url, unanswered, 8);
    expect([...retried.values()].every((outcome) => outcome === 200)).toBe(true);

    const facts = await settled(db, 'crash');
    expect(facts.size).toBe(events.length);
    for (const event of events) {
      expect({ id: event.id, ...facts.get(event.id) }).toEqual({ id: event.id, status: 'processed', applied: 1 });
    }
  }, 300_000);
});
