import { request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signedEvent } from '../factories/stripe-event.factory.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

const NEW_SECRET = 'whsec_new_secret_for_tests';
const OLD_SECRET = 'whsec_old_secret_for_tests';

describe('POST /api/webhooks/stripe (intake)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The worker is off: these tests look at what intake stores, not at processing.
    t = await createTestApp({
      env: { STRIPE_WEBHOOK_SECRET: `${NEW_SECRET},${OLD_SECRET}`, WEBHOOK_WORKER_ENABLED: 'false' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: string, signature?: string, path = '/api/webhooks/stripe') => {
    const req = t.http().post(path).set('content-type', 'application/json');
    if (signature !== undefined) req.set('stripe-signature', signature);
    return req.send(body);
  };
  const stored = async (id: string) =>
    (await t.dataSource.query('SELECT id, type, status, customer_id, last_error FROM stripe_events WHERE id = $1', [id]))[0];
  const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM stripe_events'))[0].n as number;

  describe('signature matrix: only valid events are stored', () => {
    it('stores a valid event as pending and answers 200 at once', async () => {
      const event = signedEvent({ secret: NEW_SECRET });
      const res = await post(event.body, event.signature);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, id: event.id, duplicate: false, status: 'pending' });
      expect(await stored(event.id)).toMatchObject({ status: 'pending', type: 'customer.subscription.updated', customer_id: 'cus_test' });
    });

    it('accepts both secrets during a rotation, on both paths', async () => {
      const withOld = signedEvent({ secret: OLD_SECRET });
      expect((await post(withOld.body, withOld.signature)).status).toBe(200);
      const onAlias = signedEvent({ secret: NEW_SECRET });
      expect((await post(onAlias.body, onAlias.signature, '/api/stripe/webhook')).status).toBe(200);
      expect(await stored(withOld.id)).toMatchObject({ status: 'pending' });
      expect(await stored(onAlias.id)).toMatchObject({ status: 'pending' });
    });

    it.each([
      ['a tampered body', () => {
        const event = signedEvent({ secret: NEW_SECRET });
        return { body: event.body.replace('"active"', '"canceled"'), signature: event.signature, id: event.id };
      }],
      ['a wrong secret', () => {
        const event = signedEvent({ secret: 'whsec_somebody_else' });
        return { ...event };
      }],
      ['a missing header', () => {
        const event = signedEvent({ secret: NEW_SECRET });
        return { body: event.body, signature: undefined, id: event.id };
      }],
      ['a malformed header', () => {
        const event = signedEvent({ secret: NEW_SECRET });
        return { body: event.body, signature: 'garbage', id: event.id };
      }],
      ['a stale timestamp', () => {
        const event = signedEvent({ secret: NEW_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
        return { ...event };
      }],
    ])('refuses %s with 400 and writes nothing', async (_name, make) => {
      const before = await count();
      const { body, signature, id } = make();
      const res = await post(body, signature);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_SIGNATURE');
      expect(await stored(id)).toBeUndefined();
      expect(await count()).toBe(before);
    });
  });

  it('answers a duplicate delivery 200 and changes nothing', async () => {
    const event = signedEvent({ secret: NEW_SECRET });
    await post(event.body, event.signature);
    await t.dataSource.query(`UPDATE stripe_events SET status = 'processed' WHERE id = $1`, [event.id]);
    const again = await post(event.body, event.signature);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect((await stored(event.id)).status).toBe('processed');
  });

  it('stores an event type the service does not handle as ignored', async () => {
    const event = signedEvent({ secret: NEW_SECRET, type: 'charge.refunded', object: { id: 'ch_1', object: 'charge' } });
    expect((await post(event.body, event.signature)).body.status).toBe('ignored');
    expect((await stored(event.id)).status).toBe('ignored');
  });

  it('stores an event from the other mode (live event, test keys) as ignored', async () => {
    const event = signedEvent({ secret: NEW_SECRET, livemode: true });
    expect((await post(event.body, event.signature)).status).toBe(200);
    expect(await stored(event.id)).toMatchObject({ status: 'ignored', last_error: expect.stringContaining('live-mode') });
  });

  it('refuses a body that is too large with 413', async () => {
    const event = signedEvent({ secret: NEW_SECRET, object: { id: 'sub_big', object: 'subscription', pad: 'x'.repeat(600_000) } });
    const res = await post(event.body, event.signature);
    expect(res.status).toBe(413);
    expect(await stored(event.id)).toBeUndefined();
  });

  it('refuses a chunked body (no content-length) with 413 once it passes 512 kB', async () => {
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const event = signedEvent({ secret: NEW_SECRET, object: { id: 'sub_chunked', object: 'subscription', pad: 'y'.repeat(700_000) } });
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/webhooks/stripe',
            headers: { 'content-type': 'application/json', 'stripe-signature': event.signature, 'transfer-encoding': 'chunked' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let at = 0; at < event.body.length; at += 64_000) req.write(event.body.slice(at, at + 64_000));
        req.end();
      });
      expect(status).toBe(413);
      expect(await stored(event.id)).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 503 when the database is down, so Stripe retries', async () => {
    const down = await createTestApp({ env: { STRIPE_WEBHOOK_SECRET: NEW_SECRET, WEBHOOK_WORKER_ENABLED: 'false' } });
    const dbName = new URL(down.databaseUrl).pathname.slice(1);
    try {
      await t.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await t.dataSource.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
      const event = signedEvent({ secret: NEW_SECRET });
      const res = await down.http().post('/api/webhooks/stripe').set('content-type', 'application/json')
        .set('stripe-signature', event.signature).send(event.body);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('INBOX_UNAVAILABLE');
    } finally {
      await t.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
      await down.close();
    }
  });
});

describe('POST /api/webhooks/stripe wakes the workers after the insert commits', () => {
  it('an event stored while the worker only polls every 10 minutes is picked up at once', async () => {
    // Stripe is not configured, so the worker's attempt fails: the point is that it made one.
    const t = await createTestApp({ env: { STRIPE_WEBHOOK_SECRET: NEW_SECRET, WEBHOOK_POLL_INTERVAL_MS: '600000' } });
    try {
      const event = signedEvent({ secret: NEW_SECRET });
      const res = await t.http().post('/api/webhooks/stripe').set('content-type', 'application/json')
        .set('stripe-signature', event.signature).send(event.body);
      expect(res.status).toBe(200);
      let attempts = 0;
      for (let i = 0; i < 200 && attempts === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        attempts = (await t.dataSource.query('SELECT attempts FROM stripe_events WHERE id = $1', [event.id]))[0].attempts;
      }
      expect(attempts).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
