import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signPayload } from '../factories/stripe-event.factory.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

const SECRET = 'whsec_odd_events_secret';

/**
 * Bodies whose signature is valid but whose content is odd: each gets a permanent answer (200
 * and stored, or 400 with its own code), never a 503 that Stripe would retry for three days, and
 * never INVALID_SIGNATURE.
 */
describe('POST /api/webhooks/stripe with signed but odd bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET, WEBHOOK_WORKER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: string) =>
    t.http().post('/api/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signPayload(body, SECRET)).send(body);
  const count = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM stripe_events'))[0].n as number;
  const stored = async (id: string) =>
    (await t.dataSource.query('SELECT id, status, customer_id, payload, raw_payload FROM stripe_events WHERE id = $1', [id]))[0];
  let serial = 0;
  const eventText = (overrides: Record<string, string> = {}) => {
    const id = overrides.id ?? `"evt_odd_${++serial}"`;
    const fields: Record<string, string> = {
      id,
      object: '"event"',
      api_version: '"2026-10-28.endive"',
      created: String(Math.floor(Date.now() / 1000)),
      livemode: 'false',
      type: '"customer.subscription.updated"',
      data: '{"object":{"id":"sub_odd","object":"subscription","customer":"cus_odd","status":"active"}}',
      ...overrides,
    };
    return `{${Object.entries(fields)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => `"${key}":${value}`)
      .join(',')}}`;
  };

  it('stores an event with U+0000 in a value: jsonb gets a cleaned copy, the body as received is kept beside it', async () => {
    const body = eventText({ data: '{"object":{"id":"sub_odd","object":"subscription","customer":"cus_odd","status":"active","metadata":{"note":"a\\u0000b"}}}' });
    const res = await post(body);
    expect(res.status).toBe(200);
    const row = await stored(res.body.id);
    expect(row).toMatchObject({ status: 'pending', customer_id: 'cus_odd', raw_payload: body });
    expect(row.payload.data.object.metadata.note).toBe('a\uFFFDb');
  });

  it('stores an event with U+0000 in a key, and one with a lone surrogate', async () => {
    const inKey = eventText({ data: '{"object":{"id":"sub_odd","object":"subscription","customer":"cus_odd","metadata":{"k\\u0000":"v"}}}' });
    const surrogate = eventText({ data: '{"object":{"id":"sub_odd","object":"subscription","customer":"cus_odd","metadata":{"k":"\\ud800"}}}' });
    const first = await post(inKey);
    const second = await post(surrogate);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await stored(first.body.id)).payload.data.object.metadata).toEqual({ 'k\uFFFD': 'v' });
    expect((await stored(second.body.id)).payload.data.object.metadata).toEqual({ k: '\uFFFD' });
  });

  it('stores an ordinary event without a raw copy', async () => {
    const res = await post(eventText());
    expect(res.status).toBe(200);
    expect((await stored(res.body.id)).raw_payload).toBeNull();
  });

  it.each([
    ['a body that is not JSON', () => 'not json at all'],
    ['a JSON array', () => '[1,2,3]'],
    ['no id', () => eventText({ id: '' })],
    ['U+0000 in the id', () => eventText({ id: '"evt_\\u0000nul"' })],
    ['no type', () => eventText({ type: '' })],
    ['created as a string', () => eventText({ created: '"yesterday"' })],
    ['no created', () => eventText({ created: '' })],
    ['no data.object', () => eventText({ data: '{"previous_attributes":{}}' })],
    ['livemode as a string', () => eventText({ livemode: '"no"' })],
  ])('answers %s with 400 INVALID_EVENT and stores nothing', async (_name, make) => {
    const before = await count();
    const res = await post(make());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_EVENT');
    expect(res.body.problem).toEqual(expect.any(String));
    expect(await count()).toBe(before);
  });
});
