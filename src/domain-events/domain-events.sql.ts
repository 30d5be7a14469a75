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
 * concurrent claim) and leases them. Fresh rows (attempts = 0) are due at once whatever the
 * clock says; a failed one waits its backoff. $1 now, $2 lease end.
 */
export const CLAIM_SQL = `
  UPDATE domain_events SET leased_until = $2
   WHERE id IN (SELECT id FROM domain_events
                 WHERE dispatched_at IS NULL
                   AND (attempts = 0 OR next_attempt_at <= $1)
                   AND (leased_until IS NULL OR leased_until <= $1)
                 ORDER BY id LIMIT ${BATCH}
                   FOR UPDATE SKIP LOCKED)
  RETURNING id, name, key, business_id, payload, attempts`;
