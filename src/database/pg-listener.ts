import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import pg from 'pg';
import { listen, NOTIFY } from './database.sql.js';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** TCP keepalive probes start after this idle time, so the OS notices a peer that vanished. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;
/** Heartbeat payloads start with this; they are consumed here and never reach onNotification. */
export const HEARTBEAT_PREFIX = 'pg-listener-heartbeat:';

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
  /**
   * Every this many ms the connection sends a NOTIFY to its own channel and must hear it within
   * two intervals; otherwise it counts as lost (reconnect, onLost). Catches what TCP
   * keepalive cannot: a connection that is up but no longer receives (UNLISTEN, a stuck
   * session, a proxy that drops traffic). Unset: no heartbeat.
   */
  heartbeatMs?: number;
}

/**
 * A dedicated connection that LISTENs on one channel (LISTEN needs a session of its own, never a
 * pooled one), reconnecting with backoff when it drops. Used by every in-process cache and
 * worker that PostgreSQL NOTIFY wakes. TCP keepalive finds a dead peer; the heartbeat (when
 * configured) finds a connection that is alive but deaf. Both end in the same reconnect.
 */
export class PgListener {
  private readonly id = randomUUID();
  private client: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** The heartbeat sent and not heard yet. */
  private pendingHeartbeat: string | undefined;
  private heartbeats = 0;
  private reconnectDelay = RECONNECT_MIN_MS;
  private closing = false;

  constructor(private readonly options: PgListenerOptions) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    if (this.closing) return;
    const { connectionString, channel, applicationName } = this.options;
    const client = new pg.Client({
      connectionString,
      application_name: applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    client.on('notification', (message) => {
      if (message.channel !== channel) return;
      const payload = message.payload ?? '';
      if (payload.startsWith(HEARTBEAT_PREFIX)) {
        // Every instance's heartbeats arrive here; only our own proves this connection hears.
        if (payload === this.pendingHeartbeat) this.pendingHeartbeat = undefined;
        return;
      }
      this.options.onNotification(payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(listen(client.escapeIdentifier(channel)));
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
    this.startHeartbeat(client);
    this.options.onListening?.();
  }

  async stop(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.closing || this.reconnectTimer) return;
    if (this.client && this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeatTimer);
    this.pendingHeartbeat = undefined;
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

  private startHeartbeat(client: pg.Client): void {
    const every = this.options.heartbeatMs;
    if (!every) return;
    clearInterval(this.heartbeatTimer);
    this.pendingHeartbeat = undefined;
    let missedTicks = 0;
    this.heartbeatTimer = setInterval(() => {
      if (this.pendingHeartbeat) {
        // One tick of slack: after a stalled event loop, timers run before the I/O that may
        // already hold the answer, and a needless reconnect would empty the cache.
        if (++missedTicks >= 2) this.lost(client, new Error(`heartbeat not heard within ${2 * every} ms`));
        return;
      }
      missedTicks = 0;
      const payload = `${HEARTBEAT_PREFIX}${this.id}:${++this.heartbeats}`;
      this.pendingHeartbeat = payload;
      client.query(NOTIFY, [this.options.channel, payload]).catch((error: unknown) => this.lost(client, error));
    }, every);
    // A heartbeat must never keep the process alive on its own.
    this.heartbeatTimer.unref();
  }
}
