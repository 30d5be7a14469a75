import { idempotencyMismatch } from '../core/errors.js';

interface Stored {
  fingerprint: string;
  status: number;
  body: string;
  /** Virtual time (seconds) of the first request. */
  at: number;
}

/** Stripe removes keys once they are at least 24 hours old; the simulator after exactly 24 h of virtual time. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600;

/**
 * Stripe's idempotency: a key replays the first response when the request is the same, and is an
 * `idempotency_error` when it is reused for different parameters or another endpoint.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Stored>();

  /** Stripe forgets keys after 24 h; a bound keeps a long-running standalone simulator's memory flat (the SDK sends a key with every POST). */
  constructor(private readonly maxEntries = 20_000) {}

  static fingerprint(method: string, path: string, params: unknown): string {
    return `${method} ${path} ${JSON.stringify(params)}`;
  }

  /** The stored response for `key`, or null on first use or after 24 h; throws on a parameter mismatch. */
  lookup(key: string, fingerprint: string, now: number): Stored | null {
    const stored = this.entries.get(key);
    if (!stored) return null;
    if (now - stored.at >= IDEMPOTENCY_KEY_TTL_SECONDS) {
      this.entries.delete(key);
      return null;
    }
    if (stored.fingerprint !== fingerprint) throw idempotencyMismatch(key);
    return stored;
  }

  /** Server errors are not stored, so a retry after a 5xx runs again, as on Stripe. */
  save(key: string, fingerprint: string, status: number, body: string, now: number): void {
    if (status >= 500) return;
    this.entries.set(key, { fingerprint, status, body, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
