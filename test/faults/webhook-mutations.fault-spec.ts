import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import { signedEvent } from '../factories/stripe-event.factory.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { deliver } from './app-process.js';

const SECRET = 'whsec_mutation_secret';

/** Changes one character of `text` at `at` into a different one. */
function flip(text: string, at: number, to: string): string {
  const i = at % text.length;
  const replacement = text[i] === to ? (to === 'a' ? 'b' : 'a') : to;
  return text.slice(0, i) + replacement + text.slice(i + 1);
}

describe('10,000 mutated signatures and bodies', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    const port = await findFreePort(22_000 + Math.floor(Math.random() * 20_000));
    t = await createTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET, WEBHOOK_WORKER_ENABLED: 'false' }, listenPort: port });
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('are all refused with 400 and none is stored', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('body' as const), at: fc.nat(), to: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({ kind: fc.constant('signature' as const), at: fc.nat(), to: fc.constantFrom(...'0123456789abcdef=,t') }),
      fc.record({ kind: fc.constant('timestamp' as const), delta: fc.integer({ min: 1, max: 10_000 }).map((d) => (d % 2 ? d : -d)) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    const mutations = fc.sample(mutation, { numRuns: 10_000, seed: 4242 });
    const events = mutations.map((m, i) => {
      const event = signedEvent({ secret: SECRET, id: `evt_mutant_${i}` });
      const [t0, v1] = event.signature.split(',');
      const timestamp = Number(t0.slice(2));
      switch (m.kind) {
        case 'body':
          return { ...event, body: flip(event.body, m.at, m.to) };
        case 'signature': {
          // Only the v1 value: the header must no longer carry the valid signature anywhere.
          const hex = v1.slice(3);
          return { ...event, signature: `${t0},v1=${flip(hex, m.at, m.to)}` };
        }
        case 'timestamp':
          return { ...event, signature: `t=${timestamp + m.delta},${v1}` };
        case 'truncate':
          return { ...event, body: event.body.slice(0, m.at % event.body.length) };
      }
    });
    const outcomes = await deliver(url, events, 16);
    const statuses = new Map<string, number>();
    for (const outcome of outcomes.values()) statuses.set(String(outcome), (statuses.get(String(outcome)) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 400: 10_000 });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM stripe_events`);
    expect(n).toBe(0);
  }, 300_000);
});
