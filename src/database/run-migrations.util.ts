import type { DataSource } from 'typeorm';
import { ADVISORY_LOCK } from './advisory-locks.constant.js';
import { RELEASE_ADVISORY_LOCK, TAKE_ADVISORY_LOCK } from './database.sql.js';

/**
 * Runs pending migrations under an advisory lock, so instances starting together
 * do not race each other; the second waits and then finds nothing to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(TAKE_ADVISORY_LOCK, [ADVISORY_LOCK.MIGRATIONS]);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await runner.query(RELEASE_ADVISORY_LOCK, [ADVISORY_LOCK.MIGRATIONS]).catch(() => undefined);
    await runner.release();
  }
}
