interface InFlight<T> {
  promise: Promise<T>;
  /** Set when an invalidation arrives while the load runs: its result may predate the change. */
  stale: boolean;
}

export interface EntitlementsCacheOptions {
  maxEntries?: number;
  /** An entry older than this is loaded again, whatever the invalidations said (default: never). */
  ttlMs?: number;
  /** Milliseconds now, from the service's Clock. */
  now?: () => number;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

/**
 * The per-process entitlements cache: read-through, coalescing (N concurrent misses for one key
 * make one load), bounded, and safe against the classic race where a load that started before an
 * invalidation finishes after it and would put the old state back.
 *
 * While `enabled` is false (the LISTEN connection is down, so invalidations could be missed)
 * nothing is stored: every get loads, which is slower but never stale. The TTL bounds staleness
 * even when an invalidation is lost without the connection noticing.
 */
export class EntitlementsCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, InFlight<T>>();
  private enabled = false;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<T>,
    options: EntitlementsCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached value (if still fresh), or undefined: never loads. */
  peek(key: string): T | undefined {
    return this.fresh(key)?.value;
  }

  async get(key: string): Promise<T> {
    const cached = this.fresh(key);
    if (cached !== undefined) return cached.value;
    const running = this.inFlight.get(key);
    if (running) return running.promise;

    const flight: InFlight<T> = { promise: this.load(key), stale: false };
    this.inFlight.set(key, flight);
    try {
      const value = await flight.promise;
      if (this.enabled && !flight.stale) this.store(key, value);
      return value;
    } finally {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    }
  }

  /** Forget one key ('*' = everything), including loads already running for it. */
  invalidate(key: string): void {
    if (key === '*') {
      this.entries.clear();
      for (const flight of this.inFlight.values()) flight.stale = true;
      this.inFlight.clear();
      return;
    }
    this.entries.delete(key);
    const flight = this.inFlight.get(key);
    if (flight) {
      flight.stale = true;
      // Callers arriving after the invalidation must not join a load that may predate it.
      this.inFlight.delete(key);
    }
  }

  /** Turns storing on or off; either way everything cached so far is dropped. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.invalidate('*');
  }

  private fresh(key: string): Entry<T> | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private store(key: string, value: T): void {
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Re-inserted so that Map order stays oldest first.
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
  }
}
