import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { decideGrant } from '../../src/enforcement/plan-limit.util.js';
import { COUNT_METRIC_PERIOD_START } from '../../src/enforcement/usage-window.util.js';
import { UsageService, type UsageKey } from '../../src/enforcement/usage.service.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

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
        expect(result).toEqual({ granted: expected, used: (used ?? 0) + expected });
        expect(await counter(key)).toBe((used ?? 0) + expected);
      }),
      { numRuns: 300 },
    );
  });

  it('answers a refusal with the counter it was decided on, even while others free and take capacity', async () => {
    const key: UsageKey = { businessId: 'biz_churn', metric: 'campaigns', periodStart: COUNT_METRIC_PERIOD_START };
    expect(await usage.reserve(key, 5, 5, false)).toEqual({ granted: 5, used: 5 });
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
    expect(await usage.reserve(key, 1, 5, false)).toEqual({ granted: 1, used: 5 });
  });
});
