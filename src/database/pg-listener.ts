import type { Logger } from '@nestjs/common';
import pg from 'pg';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface PgListenerOptions {
  connectionString: string;
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  logger: Logger;
  onNotification(payload: string): void;
  /** Called each time LISTEN is in place again (notifications sent meanwhile were lost). */
  onListening?(): void;
  /** Called when the connection is lost, before the reconnect is scheduled. */
  onLost?(): void;
}

/**
 * A dedicated connection that LISTENs on one channel (LISTEN needs a session of its own, never a
 * pooled one), reconnecting with backoff when it drops. Used by every in-process cache and
 * worker that PostgreSQL NOTIFY wakes.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_MIN_MS;
  private closing = false;

  constructor(private readonly options: PgListenerOptions) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    if (this.closing) return;
    const { connectionString, channel, applicationName } = this.options;
    const client = new pg.Client({ connectionString, application_name: applicationName });
    client.on('notification', (message) => {
      if (message.channel === channel) this.options.onNotification(message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.options.onListening?.();
  }

  async stop(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.closing || this.reconnectTimer) return;
    if (this.client && this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    // A broken client may still emit later; keep one no-op handler so it cannot crash the process.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.options.onLost?.();
    this.options.logger.warn(
      { err: error },
      `listener on ${this.options.channel} lost; reconnecting in ${this.reconnectDelay} ms`,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.start();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }
}
