import { DEAD_LETTER_SQL, UNOWNED_EVENT_SQL } from '../webhooks/webhooks.sql.js';

/*
 * The raw SQL of the metrics module: the inbox numbers shared by /metrics and /health/billing.
 */

/** The inbox's backlog, its oldest open event, and dead letters of owned and unowned customers; one row. No parameters. */
export const INBOX_HEALTH = `SELECT count(*) FILTER (WHERE e.status IN ('pending', 'failed'))::int AS backlog,
              min(e.received_at) FILTER (WHERE e.status IN ('pending', 'failed')) AS oldest,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND NOT ${UNOWNED_EVENT_SQL})::int AS dead,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND ${UNOWNED_EVENT_SQL})::int AS dead_unowned
         FROM stripe_events e WHERE e.status IN ('pending', 'failed') OR ${DEAD_LETTER_SQL}`;

/** Accounts whose Stripe customer has more than one live subscription; one row { n }. No parameters. */
export const COUNT_MULTIPLE_LIVE_SUBSCRIPTIONS = 'SELECT count(*)::int AS n FROM billing_accounts WHERE live_subscription_count > 1';
