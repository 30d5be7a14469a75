/*
 * The raw SQL of the entitlements module: the account columns entitlements depend on. Cache
 * invalidation sends NOTIFY (database.sql.ts) on ENTITLEMENTS_CHANNEL.
 */

/** What entitlements depend on, one billing_accounts row (none: no account yet). $1 = business. */
export const ENTITLEMENT_SNAPSHOT = `SELECT plan_key, subscription_status, trial_status, trial_plan_key, trial_ends_at, grace_period_ends_at,
              override_plan_key, override_until, current_period_start, current_period_end, billing_cycle_anchor, created_at
         FROM billing_accounts WHERE business_id = $1`;

/** Creates the business's account on the default plan; a concurrent creation wins. $1 = business, $2 = default plan, $3 = created at. */
export const CREATE_DEFAULT_ACCOUNT = `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, created_at)
       VALUES ($1, $2, 'account_created', $3) ON CONFLICT (business_id) DO NOTHING`;
