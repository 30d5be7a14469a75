/*
 * The raw SQL of the idempotency module: idempotency_keys, one row per (business, key) with the
 * first answer, or the lease of the request running under it. Leases run on the database's clock.
 */

/**
 * Claims a key never seen (or deleted since); a row { attempt } when claimed.
 * $1 = business, $2 = key, $3 = request hash, $4 = now, $5 = holder, $6 = lease seconds.
 */
export const CLAIM_NEW_KEY = `INSERT INTO idempotency_keys (business_id, key, request_hash, response, created_at, state, attempt, holder, lease_until,
                                       attempt_started_at)
         VALUES ($1, $2, $3, NULL, $4, 'running', 0, $5, clock_timestamp() + make_interval(secs => $6), $4)
         ON CONFLICT (business_id, key) DO NOTHING RETURNING attempt`;

/** The key's row, locked, with whether its lease expired. $1 = business, $2 = key. */
export const LOCK_KEY = `SELECT request_hash, response, created_at, state, attempt, attempt_started_at,
                  coalesce(lease_until < clock_timestamp(), false) AS lease_expired
           FROM idempotency_keys WHERE business_id = $1 AND key = $2 FOR UPDATE`;

/**
 * Takes a key over for a new attempt (after a refusal, or a dead holder's lease), or to resume
 * its attempt; attempt_started_at moves only with a new attempt number.
 * $1 = business, $2 = key, $3 = request hash, $4 = now, $5 = attempt, $6 = holder, $7 = lease seconds.
 */
export const RETAKE_KEY = `UPDATE idempotency_keys
            SET request_hash = $3, response = NULL, created_at = $4, state = 'running', attempt = $5, holder = $6,
                lease_until = clock_timestamp() + make_interval(secs => $7),
                attempt_started_at = CASE WHEN attempt = $5 THEN attempt_started_at ELSE $4 END
          WHERE business_id = $1 AND key = $2`;

/**
 * Ends an attempt, only while the holder still owns the key.
 * $1 = business, $2 = key, $3 = holder, $4 = state, $5 = answer (JSON text, or null), $6 = now.
 */
export const FINISH_ATTEMPT = `UPDATE idempotency_keys SET state = $4, response = $5, created_at = $6, holder = NULL, lease_until = NULL
        WHERE business_id = $1 AND key = $2 AND holder = $3`;

/** Drops the business's finished keys older than the cutoff. $1 = business, $2 = cutoff. */
export const DELETE_EXPIRED_KEYS = `DELETE FROM idempotency_keys WHERE business_id = $1 AND created_at < $2 AND state <> 'running'`;
