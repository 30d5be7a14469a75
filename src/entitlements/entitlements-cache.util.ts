interface InFlight<T> {
  promise: Promise<T>;
  /** Set when an invalidation arrives while the load runs: its result may predate the change. */
  stale: boolean;
}

/**
 * The per-process entitlements cache: read-through, coalescing (N concurrent misses for one key
 * make one load), bounded, and safe against the classic race where a load that started before an
 * invalidation finishes after it and would put the old state back.
 *
 * While `enabled` is false (the LISTEN connection is down, so invalidations could be missed)
 * nothing is stored: every get loads, which is slower but never stale.
 */
export class EntitlementsCache<T> {
  private readonly entries = new Map<string, T>();
  private readonly inFlight = new Map<string, InFlight<T>>();
  private enabled = false;

  constructor(
    private readonly load: (key: string) => Promise<T>,
    private readonly maxEntries = 10_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, or undefined: never loads. */
  peek(key: string): T | undefined {
    return this.entries.get(key);
  }

  async get(key: string): Promise<T> {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
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

  private store(key: string, value: T): void {
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}
