/*
 * The raw SQL of the billing module: checkout sessions and their per-business claim, the
 * per-customer sync version, the customer link, and the reads of the owner's billing object.
 * Most account writes go through TypeORM; these are the statements it cannot express in one go.
 */

/** Releases the business's checkout claim if we still hold it. $1 = business, $2 = holder. */
export const RELEASE_CHECKOUT_CLAIM = 'DELETE FROM checkout_claims WHERE business_id = $1 AND holder = $2';

/** The business's sessions still open on our side, newest first, as CheckoutSessionRow. $1 = business. */
export const OPEN_CHECKOUT_SESSIONS = `SELECT id, plan_key AS "planKey", interval, url, trial_days AS "trialDays", expires_at AS "expiresAt"
         FROM checkout_sessions WHERE business_id = $1 AND status = 'open' ORDER BY created_at DESC`;

/** The business that opened a session (no row: not one of ours). $1 = session id. */
export const CHECKOUT_SESSION_OPENER = 'SELECT business_id FROM checkout_sessions WHERE id = $1';

/** Sets a session's status, with `onlyIfOpen` only while it is open. $1 = session id, $2 = status. */
export function setCheckoutSessionStatus(onlyIfOpen: boolean): string {
  return `UPDATE checkout_sessions SET status = $2 WHERE id = $1${onlyIfOpen ? ` AND status = 'open'` : ''}`;
}

/**
 * Records a session opened under a claim, only while the claim is still ours; one row { held }.
 * The claim row is read FOR UPDATE, which serialises this statement with TAKE_CHECKOUT_CLAIM (its
 * ON CONFLICT DO UPDATE locks the same row): when a caller is taking the claim over at the lease
 * boundary, this statement waits for that transaction and then sees the new holder (not held,
 * nothing inserted); when this statement locks first, the taker waits until the session row is
 * committed, so every read the new holder makes after taking the claim sees the session.
 * Without the lock both could go on, each sure it held the claim, and open two sessions.
 * $1 = session id, $2 = business, $3 = plan, $4 = interval, $5 = url, $6 = expires at,
 * $7 = created at, $8 = trial days, $9 = holder.
 */
export const RECORD_CHECKOUT_SESSION = `WITH claim AS (SELECT 1 FROM checkout_claims WHERE business_id = $2 AND holder = $9 FOR UPDATE),
            saved AS (
              INSERT INTO checkout_sessions (id, business_id, plan_key, interval, url, status, expires_at, created_at, trial_days)
              SELECT $1, $2, $3, $4, $5, 'open', $6, $7, $8 FROM claim
              ON CONFLICT (id) DO NOTHING)
       SELECT EXISTS (SELECT 1 FROM claim) AS held`;

/**
 * Takes the business's checkout claim, new or past its lease (on the database's clock, the one
 * every instance shares); a row { holder } when taken. $1 = business, $2 = holder, $3 = lease seconds.
 */
export const TAKE_CHECKOUT_CLAIM = `INSERT INTO checkout_claims (business_id, holder, expires_at)
         VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
         ON CONFLICT (business_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE checkout_claims.expires_at < clock_timestamp()
         RETURNING holder`;

/** The customer's sync version as text (no row: never synced). $1 = customer id. */
export const CUSTOMER_SYNC_VERSION = `SELECT version::text AS version FROM stripe_customer_syncs WHERE customer_id = $1`;

/** Counts one more applied sync of the customer. $1 = customer id. */
export const BUMP_CUSTOMER_SYNC_VERSION = `INSERT INTO stripe_customer_syncs (customer_id, version, synced_at) VALUES ($1, 1, now())
       ON CONFLICT (customer_id) DO UPDATE SET version = stripe_customer_syncs.version + 1, synced_at = now()`;

/** The account's Stripe customer as { stripeCustomerId }. $1 = business. */
export const ACCOUNT_CUSTOMER = 'SELECT stripe_customer_id AS "stripeCustomerId" FROM billing_accounts WHERE business_id = $1';

/** Links a customer (and billing email) unless the account has one already. $1 = business, $2 = customer id, $3 = email. */
export const LINK_CUSTOMER = `UPDATE billing_accounts SET stripe_customer_id = coalesce(stripe_customer_id, $2), billing_email = coalesce(billing_email, $3),
              updated_at = now()
        WHERE business_id = $1`;

/** Whether the business had a trial, ours or Stripe's; one row { trial_status, had_stripe_trial }. $1 = business. */
export const TRIAL_HISTORY = `SELECT (SELECT trial_status FROM billing_accounts WHERE business_id = $1) AS trial_status,
              EXISTS (SELECT 1 FROM subscriptions WHERE business_id = $1 AND trial_end IS NOT NULL) AS had_stripe_trial`;

/** The business's counters of the given windows. $1 = business, $2 = period starts (ISO text). */
export const USAGE_COUNTERS_OF_WINDOWS = 'SELECT metric, period_start, used FROM usage_counters WHERE business_id = $1 AND period_start = ANY($2)';
