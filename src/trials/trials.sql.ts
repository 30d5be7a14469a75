/*
 * The raw SQL of the trials module: card-less trials on billing_accounts, the scheduled expiry
 * and its reminders. Trial changes themselves are decided by transitionTrial (trial-transition.util.ts).
 */

const TRIAL_COLUMNS = 'trial_status, trial_source, trial_plan_key, trial_started_at, trial_ends_at, trial_converted_at';

/** The account's trial and subscription status, its row locked for the start of a trial. $1 = business. */
export const LOCK_ACCOUNT_TRIAL = `SELECT ${TRIAL_COLUMNS}, subscription_status FROM billing_accounts WHERE business_id = $1 FOR UPDATE`;

/**
 * Marks the running trial's reminder sent, once; returns the trial (no row: sent before).
 * $1 = business, $2 = sent at.
 */
export const CLAIM_TRIAL_WILL_END = `UPDATE billing_accounts SET trial_will_end_sent_at = $2, updated_at = now()
      WHERE business_id = $1 AND trial_status = 'active' AND trial_will_end_sent_at IS NULL
      RETURNING business_id, trial_plan_key, trial_source, trial_started_at, trial_ends_at`;

/**
 * expire_due (see transitionTrial and EXPIRE_DUE_RULE) as one set-based statement per batch:
 * pick due trials (skipping rows a sync or startTrial holds right now: the next run gets them),
 * expire them, and write their log rows, all in the batch's transaction.
 * $1 = now, $2 = batch size, $3 = trial status, $4 = trial source (EXPIRE_DUE_RULE).
 */
export const EXPIRE_BATCH_SQL = `
  WITH due AS (
    SELECT id FROM billing_accounts
     WHERE trial_status = $3 AND trial_source = $4 AND trial_ends_at <= $1
     ORDER BY trial_ends_at, id
     LIMIT $2
     FOR UPDATE SKIP LOCKED
  ), expired AS (
    UPDATE billing_accounts a SET trial_status = 'expired', billing_sync_status = 'trial_expired', updated_at = now()
      FROM due WHERE a.id = due.id
    RETURNING a.business_id, a.trial_plan_key, a.trial_source, a.trial_started_at, a.trial_ends_at
  ), logged AS (
    INSERT INTO billing_sync_log (business_id, status, source, detail)
    SELECT business_id, 'trial_expired', 'scheduler',
           jsonb_build_object('trialSource', trial_source, 'planKey', trial_plan_key, 'startDate', trial_started_at,
                              'endDate', trial_ends_at, 'conversionDate', NULL, 'asOf', $1::timestamptz)
      FROM expired
  )
  SELECT * FROM expired`;

/**
 * The card-less trial.will_end reminders due, as one set-based statement per batch: marks each
 * once (trial_will_end_sent_at) and returns the trials.
 * $1 = now, $2 = batch size, $3 = trial status, $4 = trial source, $5 = days before the end.
 */
export const REMIND_BATCH_SQL = `
  WITH due AS (
    SELECT id FROM billing_accounts
     WHERE trial_status = $3 AND trial_source = $4 AND trial_will_end_sent_at IS NULL
       AND trial_ends_at > $1 AND trial_ends_at <= $1::timestamptz + make_interval(days => $5)
     ORDER BY trial_ends_at, id
     LIMIT $2
     FOR UPDATE SKIP LOCKED
  ), reminded AS (
    UPDATE billing_accounts a SET trial_will_end_sent_at = $1, updated_at = now()
      FROM due WHERE a.id = due.id
    RETURNING a.business_id, a.trial_plan_key, a.trial_source, a.trial_started_at, a.trial_ends_at
  )
  SELECT * FROM reminded`;
