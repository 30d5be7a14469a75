/*
 * The raw SQL of the plans module: the checks and bulk updates around loading the catalog file
 * into the plans table (the rows themselves are upserted through TypeORM).
 */

/**
 * Plan keys that accounts (subscribed, granted, trial) or subscriptions use but the catalog lacks,
 * with how many accounts use each. $1 = the catalog's plan keys.
 */
export const PLANS_IN_USE_NOT_IN = `SELECT plan_key, count(DISTINCT business_id)::int AS accounts FROM (
         SELECT business_id, plan_key FROM billing_accounts
         UNION ALL SELECT business_id, override_plan_key FROM billing_accounts WHERE override_plan_key IS NOT NULL
         UNION ALL SELECT business_id, trial_plan_key FROM billing_accounts WHERE trial_plan_key IS NOT NULL
         UNION ALL SELECT business_id, plan_key FROM subscriptions WHERE plan_key IS NOT NULL
       ) used
       WHERE NOT (plan_key = ANY($1)) GROUP BY plan_key ORDER BY plan_key`;

/**
 * Clears the price ids of the catalog's plans, and of retired plans holding an id a catalog plan
 * now uses. $1 = the catalog's plan keys, $2 = the catalog's price ids.
 */
export const CLEAR_PRICE_IDS = `UPDATE plans SET
           stripe_monthly_price_id = CASE WHEN key = ANY($1) OR stripe_monthly_price_id = ANY($2) THEN NULL ELSE stripe_monthly_price_id END,
           stripe_yearly_price_id = CASE WHEN key = ANY($1) OR stripe_yearly_price_id = ANY($2) THEN NULL ELSE stripe_yearly_price_id END`;

/** Stops selling the plans the catalog file no longer has (their rows stay). $1 = the catalog's plan keys. */
export const RETIRE_PLANS_NOT_IN = 'UPDATE plans SET active = false WHERE NOT (key = ANY($1))';
