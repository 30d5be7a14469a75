/*
 * The raw SQL of the enforcement module: usage_counters, the one place plan limits are counted.
 * The reservation statements decide in SQL (see plan-limit.util.ts for the rule they mirror).
 * Every write stamps `updated_at` with the service's Clock (a parameter, never the database's
 * now()): the recount decides on it against the same clock (usage-recount.util.ts).
 */

/**
 * The decision is made by this ONE statement, never by reading then writing: `o` locks the
 * counter row (FOR UPDATE returns its latest committed value, waiting for any concurrent
 * reservation), `g` computes the grant from that value (the rule of decideGrant in
 * plan-limit.util.ts), and `u` writes only when something is granted. The answer is definite
 * either way: a grant, or a refusal together with the `used` it was decided on. No row comes back
 * only when the counter row does not exist yet. A row whose count was carried to another window
 * (a new billing cycle anchor, usage-carry.util.ts) grants nothing and answers `carried_to`: the
 * caller reserves there instead. The lock lasts for this statement only.
 * $1 business, $2 metric, $3 period start, $4 requested, $5 limit (-1 = unlimited), $6 partial, $7 now.
 */
export const RESERVE_SQL = `
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
            SET used = g.used + g.granted, updated_at = $7
           FROM g
          WHERE c.business_id = $1 AND c.metric = $2 AND c.period_start = $3 AND g.granted > 0
         RETURNING c.used)
  SELECT coalesce((SELECT used FROM u), g.used) AS used, g.granted, g.carried_to FROM g`;

/**
 * The first use of a period (or of a count metric) creates its row with the grant already in it,
 * computed from zero (a refusal creates it at zero, which is as definite). ON CONFLICT DO NOTHING:
 * when a concurrent request created the row first, nothing is written and the caller runs
 * RESERVE_SQL against it instead. Parameters as RESERVE_SQL's.
 */
export const INSERT_FIRST_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used, updated_at)
  SELECT $1, $2, $3, g.granted, $7
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
 * $1 business, $2 metric, $3 period start, $4 amount, $5 now.
 */
export const RELEASE_SQL = `
  WITH r AS (
         UPDATE usage_counters SET used = used - $4, updated_at = $5
          WHERE business_id = $1 AND metric = $2 AND period_start = $3
         RETURNING carried_to),
       c AS (
         UPDATE usage_counters AS c SET used = GREATEST(c.used - $4, 0), updated_at = $5
           FROM r
          WHERE c.business_id = $1 AND c.metric = $2 AND c.period_start = r.carried_to
         RETURNING 1)
  SELECT (SELECT count(*) FROM r)::int AS released, (SELECT count(*) FROM c)::int AS carried`;

/**
 * The first statement of a carry: locks the rows already carried into the old window, the rows a
 * give-back takes before the old window's (RELEASE_SQL locks a row, then the row it was carried
 * to). Taking them first, before MARK_SOURCE_SQL locks the old window, puts the carry in the
 * same order as every give-back; locking them last (in REPOINT_SQL) deadlocked against a
 * give-back holding one of them and waiting for the old window. In period_start order, so two
 * carries never cross either. $1 business, $2 metric, $3 from.
 */
export const LOCK_CARRIED_INTO_SQL = `
  SELECT period_start FROM usage_counters
   WHERE business_id = $1 AND metric = $2 AND carried_to = $3
   ORDER BY period_start
     FOR UPDATE`;

/**
 * Marks the old window's row as carried to the new one. Upserted at zero when the old window was
 * never used, so that a reservation still computed from the old anchor (a request that read the
 * account just before this commit) finds the row and is redirected (RESERVE_SQL above)
 * instead of opening it. The row lock waits for reservations in flight on it, so the count read
 * here is final. $1 business, $2 metric, $3 from, $4 to, $5 now.
 */
export const MARK_SOURCE_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used, carried_to, updated_at) VALUES ($1, $2, $3, 0, $4, $5)
  ON CONFLICT (business_id, metric, period_start) DO UPDATE SET carried_to = EXCLUDED.carried_to, updated_at = EXCLUDED.updated_at
  RETURNING c.used`;

/**
 * The new window counts at least what the old one did. GREATEST, not a sum: switching back to an
 * anchor whose window already holds a count (yearly -> monthly -> yearly within a day) must not
 * count the same uses twice, and the window switched away from held them all. It counts, so it
 * points nowhere. $1 business, $2 metric, $3 to, $4 the old window's count, $5 now.
 */
export const FILL_TARGET_SQL = `
  INSERT INTO usage_counters AS c (business_id, metric, period_start, used, updated_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (business_id, metric, period_start)
  DO UPDATE SET used = GREATEST(c.used, EXCLUDED.used), carried_to = NULL, updated_at = EXCLUDED.updated_at`;

/**
 * Windows carried into the old one now point at the new one: every redirect is one hop. Their rows
 * are already locked (LOCK_CARRIED_INTO_SQL). $1 business, $2 metric, $3 from, $4 to, $5 now.
 */
export const REPOINT_SQL = `
  UPDATE usage_counters SET carried_to = $4, updated_at = $5
   WHERE business_id = $1 AND metric = $2 AND carried_to = $3 AND period_start <> $4`;

/**
 * A counter's value (no row: never used), following `carried_to` one hop as RESERVE_SQL does: an
 * instance whose cached account still names the window a new anchor carried away reads the
 * window that counts, not the old row frozen at the carry. $1 = business, $2 = metric, $3 = period start.
 */
export const SELECT_USED = `
  SELECT coalesce(t.used, c.used) AS used
    FROM usage_counters c
    LEFT JOIN usage_counters t ON t.business_id = c.business_id AND t.metric = c.metric AND t.period_start = c.carried_to
   WHERE c.business_id = $1 AND c.metric = $2 AND c.period_start = $3`;
