import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__TEST_PG__;
  if (!state) return;
  if (state.server) {
    // Not persistent: stopping also deletes the data folder.
    await state.server.stop();
    return;
  }
  const admin = new pg.Client({ connectionString: state.adminUrl });
  await admin.connect();
  const leftovers = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `billing_%_${state.runId}%`,
  ]);
  for (const { datname } of leftovers.rows) {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
  }
  await admin.end();
}
