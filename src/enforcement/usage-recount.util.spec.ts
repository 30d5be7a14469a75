import { describe, expect, it } from '@jest/globals';
import { decideRecount, RECOUNT_LOWER_GRACE_MS, type RecountInput } from './usage-recount.util.js';

const now = new Date('2026-11-21T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const input = (overrides: Partial<RecountInput>): RecountInput => ({
  counter: 5,
  actual: 5,
  updatedAt: ago(1_000),
  now,
  policy: 'settled',
  ...overrides,
});

describe('decideRecount', () => {
  it('writes nothing when the counter matches its rows', () => {
    expect(decideRecount(input({}))).toEqual({ write: null, held: false });
    expect(decideRecount(input({ policy: 'immediate' }))).toEqual({ write: null, held: false });
  });

  it('raises a counter below its rows at once, however recently it changed', () => {
    expect(decideRecount(input({ counter: 4, actual: 5, updatedAt: now }))).toEqual({ write: 5, held: false });
    expect(decideRecount(input({ counter: 0, actual: 2, updatedAt: null }))).toEqual({ write: 2, held: false });
  });

  it('holds a counter above its rows while it changed within the grace (a creation in flight looks like that)', () => {
    expect(decideRecount(input({ counter: 6, actual: 5, updatedAt: now }))).toEqual({ write: null, held: true });
    expect(decideRecount(input({ counter: 6, actual: 5, updatedAt: ago(RECOUNT_LOWER_GRACE_MS - 1) }))).toEqual({ write: null, held: true });
    // A clock that went back a little (another instance's) counts as recent.
    expect(decideRecount(input({ counter: 6, actual: 5, updatedAt: new Date(now.getTime() + 2_000) }))).toEqual({ write: null, held: true });
  });

  it('lowers a counter above its rows once it has not changed for the grace (a reservation whose request died)', () => {
    expect(decideRecount(input({ counter: 6, actual: 5, updatedAt: ago(RECOUNT_LOWER_GRACE_MS) }))).toEqual({ write: 5, held: false });
    expect(decideRecount(input({ counter: 9, actual: 0, updatedAt: ago(86_400_000) }))).toEqual({ write: 0, held: false });
  });

  it('lowers at once for an explicit repair', () => {
    expect(decideRecount(input({ counter: 6, actual: 5, updatedAt: now, policy: 'immediate' }))).toEqual({ write: 5, held: false });
  });
});
