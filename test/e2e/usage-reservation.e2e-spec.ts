import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EnforcementErrorCode } from '../../src/enforcement/enforcement.exception.js';
import { decideGrant } from '../../src/enforcement/plan-limit.util.js';
import { carryUsageWindows } from '../../src/enforcement/usage-carry.util.js';
import { COUNT_METRIC_PERIOD_START } from '../../src/enforcement/usage-window.util.js';
import { UsageService, type UsageKey } from '../../src/enforcement/usage.service.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { START_SEARCH } from '../utils/enforcement-helpers.js';

/** The reservation statements themselves, on the real database. */
describe('UsageService.reserve', () => {
  let t: TestApp;
  let usage: UsageService;
  beforeAll(async () => {
    t = await createTestApp();
    usage = t.app.get(UsageService);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function counter(key: UsageKey): Promise<number | null> {
    const rows: { used: number }[] = await t.dataSource.query(
      'SELECT used FROM usage_counters WHERE business_id = $1 AND metric = $2 AND period_start = $3',
      [key.businessId, key.metric, key.periodStart],
    );
    return rows[0]?.used ?? null;
  }

  /** Resolves once a backend of this database waits for a row lock (a state, not a duration). */
  async function untilSomeoneWaitsForALock(): Promise<void> {
    for (let poll = 0; poll < 400; poll++) {
      const [{ waiting }] = await t.dataSource.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no transaction started waiting for a lock');
  }

  it('grants exactly what decideGrant decides, from any state (property)', async () => {
    let run = 0;
    const state = fc.record({
      // null: the counter row does not exist yet (the first use of a period).
      used: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
      limit: fc.oneof(fc.constant(-1), fc.constant(0), fc.integer({ min: 0, max: 60 })),
      requested: fc.integer({ min: 1, max: 80 }),
      partial: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(state, async ({ used, limit, requested, partial }) => {
        const key: UsageKey = { businessId: `prop_${++run}`, metric: 'creators', periodStart: new Date('2026-11-14T10:00:00Z') };
        if (used !== null) {
          await t.dataSource.query('INSERT INTO usage_counters (business_id, metric, period_start, used) VALUES ($1, $2, $3, $4)', [
            key.businessId,
            key.metric,
            key.periodStart,
            used,
          ]);
        }
        const expected = decideGrant({ limit, used: used ?? 0, requested, partial });
        const result = await usage.reserve(key, requested, limit, partial);
        expect(result).toEqual({ granted: expected, used: (used ?? 0) + expected, periodStart: key.periodStart });
        expect(await counter(key)).toBe((used ?? 0) + expected);
      }),
      { numRuns: 300 },
    );
  });

  it('answers a refusal with the counter it was decided on, even while others free and take capacity', async () => {
    const key: UsageKey = { businessId: 'biz_churn', metric: 'campaigns', periodStart: COUNT_METRIC_PERIOD_START };
    expect(await usage.reserve(key, 5, 5, false)).toEqual({ granted: 5, used: 5, periodStart: key.periodStart });
    // Other requests on their own connection: one deletes a campaign (frees one), another creates
    // one (takes it back), interleaved between the statements of the reservation under test.
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    const move = (delta: number) =>
      other.query('UPDATE usage_counters SET used = used + $4 WHERE business_id = $1 AND metric = $2 AND period_start = $3', [
        key.businessId,
        key.metric,
        key.periodStart,
        delta,
      ]);
    const dataSource = t.app.get(DataSource);
    const query = dataSource.query.bind(dataSource);
    let reads = 0;
    const spy = jest.spyOn(dataSource, 'query').mockImplementation(async (sql: string, parameters?: unknown) => {
      const result: unknown = await query(sql, parameters as unknown[]);
      if (sql.includes('FOR UPDATE')) await move(-1);
      else if (/^\s*SELECT used FROM usage_counters/.test(sql) && ++reads < 3) await move(+1);
      return result;
    });
    try {
      const refused = await usage.reserve(key, 1, 5, false);
      expect(refused.granted).toBe(0);
      // A real refusal: at the moment it was decided, one more did not fit.
      expect(refused.used + 1).toBeGreaterThan(5);
    } finally {
      spy.mockRestore();
      await other.end();
    }
    // Capacity freed meanwhile is there for the next request.
    expect(await counter(key)).toBe(4);
    expect(await usage.reserve(key, 1, 5, false)).toEqual({ granted: 1, used: 5, periodStart: key.periodStart });
  });

  it('counts in the window a new anchor carried the count to, for reservations and give-backs naming the old one', async () => {
    const businessId = 'biz_carry';
    const a = new Date('2026-11-14T10:00:00Z');
    const b = new Date('2026-11-20T08:00:00Z');
    const key = (periodStart: Date): UsageKey => ({ businessId, metric: 'creators', periodStart });
    expect((await usage.reserve(key(a), 30, 50, false)).granted).toBe(30);
    await t.dataSource.transaction((manager) => carryUsageWindows(manager, businessId, [{ metric: 'creators', from: a, to: b }], new Date()));
    expect([await counter(key(a)), await counter(key(b))]).toEqual([30, 30]);

    // A request that computed the old window (it read the account just before the sync) is redirected.
    expect(await usage.reserve(key(a), 15, 50, true)).toEqual({ granted: 15, used: 45, periodStart: b });
    expect(await usage.reserve(key(a), 10, 50, false)).toEqual({ granted: 0, used: 45, periodStart: b });
    // A search reserved before the carry gives back to the window that counts now too.
    await usage.release(key(a), 20);
    expect([await counter(key(a)), await counter(key(b))]).toEqual([10, 25]);

    // Switching back to the first anchor: its window takes the larger count, never the sum.
    await t.dataSource.transaction((manager) => carryUsageWindows(manager, businessId, [{ metric: 'creators', from: b, to: a }], new Date()));
    expect(await counter(key(a))).toBe(25);
    expect(await usage.reserve(key(b), 30, 50, true)).toEqual({ granted: 25, used: 50, periodStart: a });
  });

  const A = new Date('2026-11-14T10:00:00Z');
  const B = new Date('2026-11-20T08:00:00Z');
  const C = new Date('2026-11-21T12:00:00Z');
  it.each([
    { to: C, counts: [20, 20, 20], pointers: [C, C, null] },
    // Switching back to A: A itself is the row carried into B.
    { to: A, counts: [20, 20, null], pointers: [null, A] },
  ])('never deadlocks a carry B -> $to against a give-back to A, carried into B earlier', async ({ to, counts, pointers }) => {
    const businessId = `biz_carry_lock_order_${to.getTime()}`;
    const key = (periodStart: Date): UsageKey => ({ businessId, metric: 'creators', periodStart });
    expect((await usage.reserve(key(A), 30, 50, false)).granted).toBe(30);
    await t.dataSource.transaction((manager) => carryUsageWindows(manager, businessId, [{ metric: 'creators', from: A, to: B }], new Date()));

    // The give-back (a search reserved before the first carry) holds A's row and then takes B's,
    // the one A was carried to: the order RELEASE_SQL takes them in. Meanwhile the sync carries B.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const giveBack = t.dataSource.transaction(async (manager) => {
      await manager.query('SELECT used FROM usage_counters WHERE business_id = $1 AND metric = $2 AND period_start = $3 FOR UPDATE', [
        businessId,
        'creators',
        A,
      ]);
      holding();
      await untilSomeoneWaitsForALock();
      await usage.release(key(A), 10, manager);
    });
    await held;
    const carry = t.dataSource.transaction((manager) => carryUsageWindows(manager, businessId, [{ metric: 'creators', from: B, to }], new Date()));
    await Promise.all([giveBack, carry]);

    expect([await counter(key(A)), await counter(key(B)), await counter(key(C))]).toEqual(counts);
    const rows: { carried_to: Date | null }[] = await t.dataSource.query(
      'SELECT carried_to FROM usage_counters WHERE business_id = $1 ORDER BY period_start',
      [businessId],
    );
    expect(rows.map((row) => row.carried_to)).toEqual(pointers);
  });

  it('opens no window by a stale reservation when the old window was never used', async () => {
    const businessId = 'biz_carry_empty';
    const a = new Date('2026-11-14T10:00:00Z');
    const b = new Date('2026-11-20T08:00:00Z');
    await t.dataSource.transaction((manager) => carryUsageWindows(manager, businessId, [{ metric: 'creators', from: a, to: b }], new Date()));
    expect(await usage.reserve({ businessId, metric: 'creators', periodStart: a }, 5, 50, false)).toEqual({ granted: 5, used: 5, periodStart: b });
    expect(await counter({ businessId, metric: 'creators', periodStart: a })).toBe(0);
  });

  it('answers CAPACITY_CONTENDED (503, retryable), never a 500, when no round finds a definite answer', async () => {
    // A trigger swallows every insert of this business's counter rows: the row never exists.
    await t.dataSource.query(`CREATE FUNCTION test_swallow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER test_swallow BEFORE INSERT ON usage_counters FOR EACH ROW
       WHEN (NEW.business_id = 'biz_vanishing') EXECUTE FUNCTION test_swallow_insert()`,
    );
    try {
      const token = await t.token({ business: 'biz_vanishing', role: 'member' });
      const res = await t.gql(START_SEARCH, { query: 'q', n: 5 }, token);
      expect(res.status).toBe(503);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'CAPACITY_CONTENDED', retryable: true, retryAfterSeconds: 1 });
      await expect(usage.reserve({ businessId: 'biz_vanishing', metric: 'campaigns', periodStart: COUNT_METRIC_PERIOD_START }, 1, 5, false))
        .rejects.toMatchObject({ code: EnforcementErrorCode.CAPACITY_CONTENDED, httpStatus: 503 });
    } finally {
      await t.dataSource.query('DROP TRIGGER test_swallow ON usage_counters');
      await t.dataSource.query('DROP FUNCTION test_swallow_insert()');
    }
  });
});
