import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type pg from 'pg';
import Stripe from 'stripe';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import { startStripeSimulator, type StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { signedEvent, type SignedEvent } from '../factories/stripe-event.factory.js';
import { REPO_ROOT } from '../utils/create-test-app.js';

export const FAULT_SECRET = 'whsec_fault_tests';

/** The service as a real child process (`node dist/src/main.js`), so it can be killed with SIGKILL. */
export interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startAppProcess(options: { databaseUrl: string; stripeUrl: string; port?: number; env?: Record<string, string> }): Promise<AppProcess> {
  const main = join(REPO_ROOT, 'dist/src/main.js');
  if (!existsSync(main)) throw new Error('fault tests run the built service: npm run test:faults builds it first');
  const port = options.port ?? (await findFreePort(21_000 + Math.floor(Math.random() * 20_000)));
  const child = spawn(process.execPath, [main], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      STRIPE_SECRET_KEY: 'sk_test_faults',
      STRIPE_API_BASE: options.stripeUrl,
      STRIPE_WEBHOOK_SECRET: FAULT_SECRET,
      // A DATABASE_URL is real infrastructure: the public development secret is refused there.
      AUTH_JWT_SECRET: 'fault-tests-only-secret-of-32-characters-or-more',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      WEBHOOK_RETRY_BASE_MS: '50',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output}`);
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error(`service did not become healthy:\n${output}`);
    }
    const ok = await fetch(`${url}/health`).then((res) => res.status === 200, () => false);
    if (ok) break;
    await sleep(100);
  }
  return {
    url,
    port,
    child,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The simulator as Stripe, with customers that name their business (so the worker can link them). */
export async function startFaultStripe(customers: number): Promise<{ sim: StripeSimulator; customerIds: string[] }> {
  const sim = await startStripeSimulator({ port: 0 });
  const url = new URL(sim.url);
  const stripe = new Stripe('sk_test_faults', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  const customerIds: string[] = [];
  for (let i = 0; i < customers; i++) {
    customerIds.push((await stripe.customers.create({ email: `fault${i}@example.test`, metadata: { businessId: `biz_fault_${i}` } })).id);
  }
  return { sim, customerIds };
}

export function subscriptionEvents(count: number, customerIds: string[], prefix: string): SignedEvent[] {
  return Array.from({ length: count }, (_, i) =>
    signedEvent({
      secret: FAULT_SECRET,
      id: `evt_${prefix}_${i}`,
      object: { id: `sub_${prefix}_${i}`, object: 'subscription', customer: customerIds[i % customerIds.length], status: 'active' },
    }),
  );
}

export type Delivery = number | 'no answer';

/** Delivers events with `concurrency` in flight, as Stripe would; `onAnswer` sees each outcome. */
export async function deliver(
  url: string | (() => string),
  events: SignedEvent[],
  concurrency: number,
  onAnswer?: (id: string, outcome: Delivery) => void,
): Promise<Map<string, Delivery>> {
  const outcomes = new Map<string, Delivery>();
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++];
      const base = typeof url === 'string' ? url : url();
      const outcome: Delivery = await fetch(`${base}/api/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
        body: event.body,
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 'no answer' as const,
      );
      outcomes.set(event.id, outcome);
      onAnswer?.(event.id, outcome);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/**
 * Waits (up to two minutes) until every event is processed, then asserts that each was applied
 * exactly once: one billing_sync_log row per event, whatever was retried or delivered twice.
 */
export async function expectEachProcessedOnce(db: pg.Client, ids: string[]): Promise<void> {
  let open = ids.length;
  for (let i = 0; i < 600 && open > 0; i++) {
    await sleep(200);
    open = (await db.query(`SELECT count(*)::int AS n FROM stripe_events WHERE id = ANY($1) AND status <> 'processed'`, [ids])).rows[0].n;
  }
  const applied = await db.query<{ id: string; n: number }>(
    `SELECT e.id, (SELECT count(*)::int FROM billing_sync_log l WHERE l.event_id = e.id) AS n
     FROM stripe_events e WHERE e.id = ANY($1) AND e.status = 'processed'`,
    [ids],
  );
  expect(applied.rows.length).toBe(ids.length);
  expect(applied.rows.filter((row) => row.n !== 1)).toEqual([]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
