import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import { TEST_PG_ADMIN_URL, TEST_PG_RUN_ID } from '../setup/test-database.constants.js';

// Any constant works; it only has to differ from the app's own advisory lock keys.
const TEMPLATE_LOCK = 7_399_001;

function adminUrl(): string {
  const url = process.env[TEST_PG_ADMIN_URL];
  if (!url) throw new Error('e2e tests need the Jest global setup (run them through npm test)');
  return url;
}

function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A fresh database cloned from this run's template, which the first caller migrates with the
 * real migrations (under an advisory lock, as test files run in parallel workers).
 */
export async function createTestDatabase(): Promise<string> {
  const runId = process.env[TEST_PG_RUN_ID];
  const template = `billing_template_${runId}`;
  const name = `billing_test_${runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${template}`);
        const dataSource = await new DataSource(buildDataSourceOptions(urlFor(template), 1)).initialize();
        try {
          await dataSource.runMigrations({ transaction: 'each' });
        } finally {
          await dataSource.destroy();
        }
      }
      // Cloning needs the template free of connections, so it happens under the same lock.
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  } finally {
    await admin.end();
  }
  return urlFor(name);
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
