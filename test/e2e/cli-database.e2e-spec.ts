import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { openCliDatabase } from '../../src/cli/cli-database.util.js';
import type { AppConfig } from '../../src/config/app-config.types.js';
import { findFreePort, startEmbeddedPostgres } from '../../src/database/embedded-postgres.starter.js';
import { testConfig } from '../utils/create-test-app.js';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the CLI database without DATABASE_URL: the embedded PostgreSQL of npm start', () => {
  let root: string;
  let config: AppConfig;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'billing-cli-pg-'));
    // The unprivileged postgres user must reach the data folder inside.
    await chmod(root, 0o755);
    const base = testConfig();
    config = {
      ...base,
      databaseUrl: undefined,
      embeddedPostgres: { dir: join(root, 'data'), port: await findFreePort(40_000 + Math.floor(Math.random() * 10_000)) },
    };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('starts it for the command and stops it after; reuses (and leaves running) the one npm start runs', async () => {
    const own = await openCliDatabase(config, () => undefined);
    expect(own.config.databaseUrl).toMatch(/^postgres:\/\/.*\/billing$/);
    expect(own.config.webhooks.workerEnabled).toBe(false);
    expect(own.config.reconcile.cron).toBeNull();
    expect(await answers(own.config.databaseUrl!)).toBe(true);
    await own.close();
    expect(await answers(own.config.databaseUrl!)).toBe(false);

    // As `npm start` would: a server already running in the same data folder.
    const service = await startEmbeddedPostgres({ dir: config.embeddedPostgres.dir, port: config.embeddedPostgres.port, database: 'billing' });
    try {
      const notices: string[] = [];
      const shared = await openCliDatabase(config, (message) => notices.push(message));
      expect(shared.config.databaseUrl).toBe(service.url);
      expect(notices.join('\n')).toContain('using the embedded PostgreSQL of the running service');
      await shared.close();
      expect(await answers(service.url)).toBe(true);
    } finally {
      await service.stop();
    }
  }, 180_000);

  it('uses DATABASE_URL as given, starting nothing', async () => {
    const given = await openCliDatabase({ ...config, databaseUrl: 'postgres://u:p@db.example:5432/billing' }, () => undefined);
    expect(given.config.databaseUrl).toBe('postgres://u:p@db.example:5432/billing');
    await given.close();
  });
});
