import { DEAD_LETTER_STATUSES } from './stripe-event.entity.js';
import { STRIPE_EVENTS_CHANNEL } from './stripe-event-routing.util.js';

/*
 * The raw SQL of the webhooks module: the stripe_events inbox (intake, worker, replay), and the
 * conditions on it that the admin API and the inbox health read too. Statements that touch
 * events by alias expect `stripe_events e`.
 */

/**
 * One prepared statement per pooled connection: the intake runs it thousands of times a second,
 * and the query builder cost more than the insert itself (bench/README.md). The body goes in as
 * the JSON text Stripe signed, never re-serialised.
 */
export const INSERT_EVENT = {
  name: 'stripe_events_intake',
  text: `INSERT INTO stripe_events
           (id, type, livemode, api_version, stripe_created_at, payload, raw_payload, status, customer_id, last_error,
            next_attempt_at, received_at)
         VALUES ($1, $2, $3, $4, to_timestamp($5), $6::jsonb, $7, $8, $9, $10, now(), now())
         ON CONFLICT (id) DO NOTHING
         RETURNING 1`,
};
// A wake-up needs no durability (polling covers a lost one): its commit does not wait for fsync,
// so it adds no flush of its own next to the inserts'. One round trip (simple query protocol).
export const WAKE_WORKERS = `BEGIN; SET LOCAL synchronous_commit TO off; SELECT pg_notify('${STRIPE_EVENTS_CHANNEL}', ''); COMMIT`;

/**
 * SQL for an event whose customer no business owns: the worker never resolved a business and no
 * billing account carries the customer id.
 */
export const UNOWNED_EVENT_SQL = `(e.business_id IS NULL AND NOT EXISTS
  (SELECT 1 FROM billing_accounts a WHERE a.stripe_customer_id = e.customer_id))`;

/**
 * SQL for an event that waits for a human: dead, or parked as unowned by the worker. A parked
 * event whose customer a business has owned since counts as that business's dead letter.
 */
export const DEAD_LETTER_SQL = `e.status IN (${DEAD_LETTER_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** Open events per status, one row { pending, failed, dead, unowned }. No parameters. */
export const INBOX_STATS = `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'dead')::int AS dead,
              count(*) FILTER (WHERE status = 'unowned')::int AS unowned
       FROM stripe_events WHERE status IN ('pending', 'failed', 'dead', 'unowned')`;

/** Puts an event back in the queue with a fresh retry window (never an ignored one). $1 = event id. */
export const REPLAY_EVENT = `UPDATE stripe_events SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
         failing_since = NULL, failure_kind = NULL, failure_kind_since = NULL
       WHERE id = $1 AND status <> 'ignored' RETURNING id`;

/** Marks applied events processed, only those still open. $1 = event ids, $2 = business id (or null). */
export const MARK_PROCESSED = `UPDATE stripe_events SET status = 'processed', processed_at = now(), business_id = $2, last_error = NULL,
       failing_since = NULL, failure_kind = NULL, failure_kind_since = NULL, attempts = attempts + 1
     WHERE id = ANY($1) AND status IN ('pending', 'failed')`;

/** Fresh events are due at once whatever the clock says; failed ones when their backoff ends. */
const CLAIMABLE = `(status = 'pending' OR (status = 'failed' AND next_attempt_at <= $1))`;
const CANDIDATES = 50;

/** The worker's candidate keys (customer id, or `event:<id>` without one), due first. $1 = now. */
export const DUE_EVENT_KEYS = `SELECT coalesce(customer_id, 'event:' || id) AS key FROM stripe_events WHERE ${CLAIMABLE}
       ORDER BY next_attempt_at, stripe_created_at LIMIT ${CANDIDATES}`;

/** Takes a worker's session lock on one inbox key if free; one row { locked }. $1 = namespace, $2 = key. */
export const TRY_INBOX_KEY_LOCK = 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked';

/** Releases the worker's lock on an inbox key. $1 = namespace, $2 = key. */
export const RELEASE_INBOX_KEY_LOCK = 'SELECT pg_advisory_unlock($1, hashtext($2))';

/**
 * Records a failed attempt on an open event, with the retry window's and the failure run's starts
 * as the worker decided them (decideRetry's inputs), only while the event is as the worker read
 * it: a replay meanwhile (attempts back to 0, a fresh window) is not written over.
 * $1 = event id, $2 = last error, $3 = status, $4 = next attempt, $5 = failing since,
 * $6 = failure kind, $7 = failure kind since, $8 = the attempts the worker read.
 */
export const RECORD_FAILURE = `UPDATE stripe_events SET attempts = attempts + 1, last_error = $2, status = $3, next_attempt_at = $4,
           failing_since = $5, failure_kind = $6, failure_kind_since = $7
         WHERE id = $1 AND status IN ('pending', 'failed') AND attempts = $8`;
