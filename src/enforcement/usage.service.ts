import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { EnforcementErrorCode, EnforcementException } from './enforcement.exception.js';

/** One usage_counters row: a business, a metric, and the period it counts in. */
export interface UsageKey {
  businessId: string;
  metric: string;
  periodStart: Date;
}

export interface ReserveResult {
  /** 0 when refused. */
  granted: number;
  /** The counter after the grant, or as seen at the refusal. */
  used: number;
  /** The window the answer was decided in: the one asked for, or the one it was carried to. Give back there. */
  periodStart: Date;
}

/**
 * The decision is made by this ONE statement, never by reading then writing: `o` locks the
 * counter row (FOR UPDATE returns its latest committed value, waiting for any concurrent
 * reservation), `g` computes the grant from that value (the rule of decideGrant in
 * plan-limit.util.ts), and `u` writes only when something is granted. The answer is definite
 * either way: a grant, or a refusal together with the `used` it was decided on. No row comes back
 * only when the counter row does not exist yet. A row whose count was carried to another window
 * (a new billing cycle anchor, usage-carry.util.ts) grants nothing and answers `carried_to`: the
 * caller reserves there instead. The lock lasts for this statement only.
 * $1 business, $2 metric, $3 period start, $4 requested, $5 limit (-1 = unlimited), $6 partial.
 */
const RESERVE_SQL = `
  WITH o AS (
         SELECT used, carried_to FROM usage_counters
          WHERE business_id = $1 AND metric = $2 AND period_start = $3
            FOR UPDATE),
       g AS (
         SELECT o.used, o.carried_to,
                CASE
                  WHEN o.carried_to IS NOT NULL THEN 0
                  WHEN $5::int = -1 THEN $4::int
                  WHEN $6::boolean THEN GREATEST(LEAST($4::int, $5::int - o.used), 0)
                  WHEN o.used + $4::int <= $5::int THEN $4::int
                  ELSE 0
                END AS granted
           FROM o),
       u AS (
         UPDATE usage_counters AS c
            SET used = g.used + g.granted, updated_at = now()
           FROM g
          WHERE c.business_id = $1 AND c.metric = $2 AND c.period_start = $3 AND g.granted > 0
         RETURNING c.used)
  SELECT coalesce((SELECT used FROM u), g.used) AS used, g.granted, g.carried_to FROM g`;

/**
 * The first use of a period (or of a count metric) creates its row with the grant already in it,
 * computed from zero (a refusal creates it at zero, which is as definite). ON CONFLICT DO NOTHING:
 * when a concurrent request created the row first, nothing is written and the caller runs
 * RESERVE_SQL against it instead.
 */
const INSERT_FIRST_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used)
  SELECT $1, $2, $3, g.granted
    FROM (SELECT CASE
                   WHEN $5::int = -1 THEN $4::int
                   WHEN $6::boolean THEN GREATEST(LEAST($4::int, $5::int), 0)
                   WHEN $4::int <= $5::int THEN $4::int
                   ELSE 0
                 END AS granted) AS g
  ON CONFLICT (business_id, metric, period_start) DO NOTHING
  RETURNING c.used, c.used AS granted, NULL::timestamptz AS carried_to`;

/**
 * Gives back to a row, and to the row its count was carried to (one hop: usage-carry.util.ts
 * repoints older carries), so a search reserved before an anchor change settles in the window
 * that counts now. The carried row never goes below zero: it may not hold uses made in the old
 * window after the carry, which RESERVE_SQL redirects, so the row itself is exact either way.
 * $1 business, $2 metric, $3 period start, $4 amount.
 */
const RELEASE_SQL = `
  WITH r AS (
         UPDATE usage_counters SET used = used - $4, updated_at = now()
          WHERE business_id = $1 AND metric = $2 AND period_start = $3
         RETURNING carried_to),
       c AS (
         UPDATE usage_counters AS c SET used = GREATEST(c.used - $4, 0), updated_at = now()
           FROM r
          WHERE c.business_id = $1 AND c.metric = $2 AND c.period_start = r.carried_to
         RETURNING 1)
  SELECT (SELECT count(*) FROM r)::int AS released, (SELECT count(*) FROM c)::int AS carried`;

/**
 * Counter rows are never deleted, so once INSERT_FIRST_SQL has lost a race the next RESERVE_SQL
 * finds the row: two rounds answer, three when the row was carried to another window (one hop).
 * More means something deleted rows under us: CAPACITY_CONTENDED (503, retryable) rather than a
 * refusal of a customer who may have capacity.
 */
const MAX_ROUNDS = 10;

@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Reserves up to `requested` against `limit` (-1 = unlimited); all or nothing unless `partial`.
   * Concurrent calls can never grant more than the limit in total, and a refusal is always one
   * that the locked, current counter justified (never a give-up after some retries).
   */
  async reserve(key: UsageKey, requested: number, limit: number, partial: boolean): Promise<ReserveResult> {
    let periodStart = key.periodStart;
    // Usually the row exists: one round trip, whatever the answer.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const params = [key.businessId, key.metric, periodStart, requested, limit, partial];
      const [decided] = await this.update(RESERVE_SQL, params);
      if (decided?.carriedTo) {
        periodStart = decided.carriedTo;
        continue;
      }
      if (decided) return { granted: decided.granted, used: decided.used, periodStart };
      const [inserted] = await this.update(INSERT_FIRST_SQL, params);
      if (inserted) return { granted: inserted.granted, used: inserted.used, periodStart };
    }
    throw new EnforcementException(
      EnforcementErrorCode.CAPACITY_CONTENDED,
      `Could not reserve ${key.metric}: the usage counter kept changing under this request; retry`,
      { metric: key.metric, retryable: true, retryAfterSeconds: 1 },
    );
  }

  /**
   * Gives back exactly what was reserved and not used. No clamping at zero: the CHECK (used >= 0)
   * makes a double release fail loudly instead of silently hiding a counting bug. Pass the
   * manager of a transaction that also changes the counted rows (a delete, a settlement), so
   * the two commit together.
   */
  async release(key: UsageKey, amount: number, manager?: EntityManager): Promise<void> {
    if (amount === 0) return;
    const [row] = rowsOf(
      await (manager ?? this.dataSource).query(RELEASE_SQL, [key.businessId, key.metric, key.periodStart, amount]),
    ) as { released: number }[];
    if (row.released === 0) {
      throw new Error(`release of ${amount} ${key.metric} for ${key.businessId}: no usage counter row`);
    }
  }

  async getUsed(key: UsageKey): Promise<number> {
    const rows: { used: number }[] = await this.dataSource.query(
      'SELECT used FROM usage_counters WHERE business_id = $1 AND metric = $2 AND period_start = $3',
      [key.businessId, key.metric, key.periodStart],
    );
    return rows[0]?.used ?? 0;
  }

  private async update(sql: string, params: unknown[]): Promise<{ used: number; granted: number; carriedTo: Date | null }[]> {
    const rows = rowsOf(await this.dataSource.query(sql, params)) as { used: number; granted: number; carried_to: Date | null }[];
    return rows.map((row) => ({ used: Number(row.used), granted: Number(row.granted), carriedTo: row.carried_to }));
  }
}

/** TypeORM answers UPDATE ... RETURNING with [rows, affected] and INSERT ... RETURNING with rows. */
function rowsOf(result: unknown): unknown[] {
  if (!Array.isArray(result)) return [];
  return Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
}
