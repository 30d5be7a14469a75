import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import pg from 'pg';
import { ENTITLEMENT_SNAPSHOT } from '../../src/entitlements/entitlements.sql.js';

/**
 * The query logger of the `enforcement` benchmark, loaded only by bench-server.ts: every
 * statement any pg client of the process sends (TypeORM's pool included: it drives pg.Client) is
 * attributed to the HTTP request whose async context sent it. Requests are labelled by the
 * benchmark with SQL_LABEL_HEADER; statements sent outside a labelled request (the domain-events
 * relay's poll, LISTEN heartbeats) are counted apart, so background work cannot inflate a
 * request's figure.
 */
export const SQL_LABEL_HEADER = 'x-bench-sql-label';

export interface LabelledCount {
  /** Labelled requests that entered the server while counting. */
  requests: number;
  statements: number;
  /** Of those, entitlement snapshot reads: a cache miss (0 on a warm cache). */
  entitlementReads: number;
  /** Statement text (whitespace collapsed, first 90 characters) -> how many times. */
  byStatement: Record<string, number>;
}

export interface SqlStatementCounts {
  labels: Record<string, LabelledCount>;
  /** Statements sent by no labelled request while counting (background work). */
  outside: Omit<LabelledCount, 'requests'>;
}

const storage = new AsyncLocalStorage<LabelledCount>();
let counting = false;
let counts: SqlStatementCounts = empty();
let installed = false;
const ENTITLEMENT_READ = normalise(ENTITLEMENT_SNAPSHOT);

/** Wraps pg.Client.prototype.query; before the app boots, so no client escapes it. */
export function installSqlStatementCounter(): void {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]): unknown {
    if (counting) record(args[0]);
    return original.apply(this, args);
  };
}

/**
 * Express middleware: runs a labelled request in its counting context. Mounted after the JSON
 * body parser, whose stream callbacks would otherwise run outside the request's context; nothing
 * before it sends SQL (the rate-limit middleware only verifies the token).
 */
export function sqlStatementCounting(req: Request, _res: Response, next: NextFunction): void {
  const label = req.headers[SQL_LABEL_HEADER];
  if (!counting || typeof label !== 'string') return next();
  const count = (counts.labels[label] ??= { requests: 0, statements: 0, entitlementReads: 0, byStatement: {} });
  count.requests++;
  storage.run(count, next);
}

export function startCounting(): void {
  counts = empty();
  counting = true;
}

/** Stops counting and returns what was counted; the async context tracking is switched off again. */
export function stopCounting(): SqlStatementCounts {
  counting = false;
  storage.disable();
  return counts;
}

function record(query: unknown): void {
  const text = typeof query === 'string' ? query : String((query as { text?: unknown } | null)?.text ?? query);
  const key = normalise(text);
  const target = storage.getStore() ?? counts.outside;
  target.statements++;
  if (key === ENTITLEMENT_READ) target.entitlementReads++;
  const short = key.slice(0, 90);
  target.byStatement[short] = (target.byStatement[short] ?? 0) + 1;
}

function normalise(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

function empty(): SqlStatementCounts {
  return { labels: {}, outside: { statements: 0, entitlementReads: 0, byStatement: {} } };
}
