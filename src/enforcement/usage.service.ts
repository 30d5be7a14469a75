import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { EnforcementErrorCode, EnforcementException } from './enforcement.exception.js';
import { INSERT_FIRST_SQL, RELEASE_SQL, RESERVE_SQL, SELECT_USED } from './enforcement.sql.js';

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
 * Counter rows are never deleted, so once INSERT_FIRST_SQL has lost a race the next RESERVE_SQL
 * finds the row: two rounds answer, three when the row was carried to another window (one hop).
 * More means something deleted rows under us: CAPACITY_CONTENDED (503, retryable) rather than a
 * refusal of a customer who may have capacity.
 */
const MAX_ROUNDS = 10;

@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Reserves up to `requested` against `limit` (-1 = unlimited); all or nothing unless `partial`.
   * Concurrent calls can never grant more than the limit in total, and a refusal is always one
   * that the locked, current counter justified (never a give-up after some retries).
   */
  async reserve(key: UsageKey, requested: number, limit: number, partial: boolean): Promise<ReserveResult> {
    let periodStart = key.periodStart;
    // Usually the row exists: one round trip, whatever the answer.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const params = [key.businessId, key.metric, periodStart, requested, limit, partial, this.clock.now()];
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
      await (manager ?? this.dataSource).query(RELEASE_SQL, [key.businessId, key.metric, key.periodStart, amount, this.clock.now()]),
    ) as { released: number }[];
    if (row.released === 0) {
      throw new Error(`release of ${amount} ${key.metric} for ${key.businessId}: no usage counter row`);
    }
  }

  async getUsed(key: UsageKey): Promise<number> {
    const rows: { used: number }[] = await this.dataSource.query(SELECT_USED, [key.businessId, key.metric, key.periodStart]);
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
