import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PoolLike {
  on(event: 'acquire', listener: (client: ErrorEmitter) => void): unknown;
}

/**
 * pg emits 'error' on a checked-out client whose connection dies (a failover, an admin
 * terminating the session). TypeORM only guards idle clients, and an unhandled 'error' event
 * would crash the process; the query in flight fails on its own, so logging is enough here.
 */
export function guardPoolErrors(dataSource: DataSource, logger: Logger): void {
  const pool = (dataSource.driver as unknown as { master?: PoolLike }).master;
  // pg-pool removes its own idle listener right after 'acquire', so count on our mark instead.
  const guarded = new WeakSet<ErrorEmitter>();
  pool?.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost'));
  });
}
