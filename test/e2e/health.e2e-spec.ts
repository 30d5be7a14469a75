import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers ok with the database up, without a token', async () => {
    const res = await t.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('returns a request id, reusing a well-formed one from the caller', async () => {
    const minted = await t.http().get('/health');
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const reused = await t.http().get('/health').set('x-request-id', 'req-abc.123');
    expect(reused.headers['x-request-id']).toBe('req-abc.123');
    const refused = await t.http().get('/health').set('x-request-id', 'bad id with spaces');
    expect(refused.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('answers 503 when the database is unreachable', async () => {
    const down = await createTestApp();
    try {
      // Terminate the app's connections and forbid new ones: the database is "down" for it.
      const dbName = new URL(down.databaseUrl).pathname.slice(1);
      await t.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await t.dataSource.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
      const res = await down.http().get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('error');
      await t.dataSource.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    } finally {
      await down.close();
    }
  });

  it('answers an unknown route with 404 and a code', async () => {
    const res = await t.http().get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});
