/*
 * The raw SQL of the domain-events module: the outbox (domain_events), written in the
 * transaction of the change it reports and claimed by the relay.
 */

/**
 * Records one event; a row { id } when new, none when (name, key) was recorded before.
 * $1 = name, $2 = key, $3 = business, $4 = payload (JSON text).
 */
export const RECORD_DOMAIN_EVENT = `INSERT INTO domain_events (name, key, business_id, payload) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (name, key) DO NOTHING RETURNING id`;

/**
 * Records many events in one statement; a row { id } per new one.
 * $1 = names, $2 = keys, $3 = businesses, $4 = payloads (JSON texts).
 */
export const RECORD_DOMAIN_EVENTS = `INSERT INTO domain_events (name, key, business_id, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
       ON CONFLICT (name, key) DO NOTHING RETURNING id`;

const BATCH = 50;

/**
 * One statement (its own short transaction): takes due, unleased rows (SKIP LOCKED against a
 * concurrent claim) and leases them to this claim's token. Fresh rows (attempts = 0) are due at
 * once whatever the clock says; a failed one waits its backoff. $1 now, $2 lease end, $3 token.
 */
export const CLAIM_SQL = `
  UPDATE domain_events SET leased_until = $2, lease_token = $3
   WHERE id IN (SELECT id FROM domain_events
                 WHERE dispatched_at IS NULL
                   AND (attempts = 0 OR next_attempt_at <= $1)
                   AND (leased_until IS NULL OR leased_until <= $1)
                 ORDER BY id LIMIT ${BATCH}
                   FOR UPDATE SKIP LOCKED)
  RETURNING id, name, key, business_id, payload, attempts`;

/*
 * The statements below act on a row only while it carries the claim's token: a row whose lease
 * ended and that another relay claimed since has a new token. Each returns { id } when it acted.
 * The row lock of the UPDATE orders it against a concurrent claim: whichever comes second sees
 * the other's write (a claim skips a renewed row; a renewal finds the new token).
 */

/** Extends the lease right before the row is emitted. $1 id, $2 token, $3 new lease end. */
export const RENEW_LEASE_SQL = `UPDATE domain_events SET leased_until = $3
   WHERE id = $1 AND lease_token = $2 AND dispatched_at IS NULL RETURNING id`;

/** Marks the row dispatched and ends the lease. $1 id, $2 token, $3 now. */
export const MARK_DISPATCHED_SQL = `UPDATE domain_events
     SET dispatched_at = $3, attempts = attempts + 1, last_error = NULL, leased_until = NULL, lease_token = NULL
   WHERE id = $1 AND lease_token = $2 RETURNING id`;

/** Records a listener's failure with its backoff and ends the lease. $1 id, $2 token, $3 error, $4 next attempt. */
export const RECORD_DISPATCH_FAILURE_SQL = `UPDATE domain_events
     SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4, leased_until = NULL, lease_token = NULL
   WHERE id = $1 AND lease_token = $2 RETURNING id`;
