import { describe, expect, it } from '@jest/globals';
import { EntitlementsCache } from './entitlements-cache.util.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('EntitlementsCache', () => {
  it('loads once, then answers from memory', async () => {
    let loads = 0;
    const cache = new EntitlementsCache(async (key) => `${key}:${++loads}`);
    cache.setEnabled(true);
    await expect(cache.get('b1')).resolves.toBe('b1:1');
    await expect(cache.get('b1')).resolves.toBe('b1:1');
    expect(loads).toBe(1);
  });

  it('coalesces concurrent misses into one load', async () => {
    let loads = 0;
    const gate = deferred<string>();
    const cache = new EntitlementsCache(() => {
      loads++;
      return gate.promise;
    });
    cache.setEnabled(true);
    const all = Promise.all([cache.get('b1'), cache.get('b1'), cache.get('b1')]);
    gate.resolve('v');
    await expect(all).resolves.toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
  });

  it('reloads after an invalidation of the key or of everything', async () => {
    let loads = 0;
    const cache = new EntitlementsCache(async () => ++loads);
    cache.setEnabled(true);
    await cache.get('b1');
    cache.invalidate('b2');
    await expect(cache.get('b1')).resolves.toBe(1);
    cache.invalidate('b1');
    await expect(cache.get('b1')).resolves.toBe(2);
    cache.invalidate('*');
    await expect(cache.get('b1')).resolves.toBe(3);
  });

  it('does not store a load that an invalidation overtook, nor let later callers join it', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    let call = 0;
    const cache = new EntitlementsCache(() => gates[call++].promise);
    cache.setEnabled(true);
    const before = cache.get('b1');
    cache.invalidate('b1');
    const after = cache.get('b1');
    gates[0].resolve('old');
    gates[1].resolve('new');
    await expect(before).resolves.toBe('old');
    await expect(after).resolves.toBe('new');
    expect(cache.peek('b1')).toBe('new');
  });

  it('stores nothing while disabled (the listener is down)', async () => {
    let loads = 0;
    const cache = new EntitlementsCache(async () => ++loads);
    await cache.get('b1');
    await cache.get('b1');
    expect(loads).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('drops everything when enabled again (notifications may have been missed)', async () => {
    const cache = new EntitlementsCache(async (key) => key);
    cache.setEnabled(true);
    await cache.get('b1');
    cache.setEnabled(true);
    expect(cache.peek('b1')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new EntitlementsCache(async (key) => key, { maxEntries: 2 });
    cache.setEnabled(true);
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    expect(cache.size).toBe(2);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('c')).toBe('c');
  });

  it('loads again once an entry is older than the TTL, on the given clock', async () => {
    let now = 1_000;
    let loads = 0;
    const cache = new EntitlementsCache(async () => ++loads, { ttlMs: 60_000, now: () => now });
    cache.setEnabled(true);
    await expect(cache.get('b1')).resolves.toBe(1);
    now += 59_999;
    await expect(cache.get('b1')).resolves.toBe(1);
    now += 1;
    expect(cache.peek('b1')).toBeUndefined();
    await expect(cache.get('b1')).resolves.toBe(2);
    await expect(cache.get('b1')).resolves.toBe(2);
  });
});
