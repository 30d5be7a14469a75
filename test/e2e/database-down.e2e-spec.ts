import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database.js';

describe('while the database is down', () => {
  let databaseUrl: string;
  let proxy: TcpProxy;
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const target = new URL(databaseUrl);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    t = await createTestApp({ databaseUrl: proxy.wrap(databaseUrl) });
    token = await t.token({ business: 'biz_outage', role: 'member' });
    await proxy.down();
  });
  afterAll(async () => {
    await proxy.up();
    await t?.close();
    await dropTestDatabase(databaseUrl);
    await proxy.down();
  });

  it('GraphQL answers HTTP 503 SERVICE_UNAVAILABLE, retryable, with Retry-After', async () => {
    const res = await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ campaigns { id } }' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.errors).toEqual([
      {
        message: 'The database is unavailable; retry shortly',
        path: ['campaigns'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 5 },
      },
    ]);
  });

  it('REST answers 503 SERVICE_UNAVAILABLE, retryable, with Retry-After', async () => {
    const res = await t.http().get('/api/campaigns/can-create').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable; retry shortly',
      retryable: true,
      retryAfterSeconds: 5,
    });
  });

  it('answers again once the database is back', async () => {
    await proxy.up();
    const res = await t.gql('{ campaigns { id } }', undefined, token);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ campaigns: [] });
  });
});
