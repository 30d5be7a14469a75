import { CAMPAIGNS_METRIC } from '../campaigns/campaigns.constant.js';
import { GRACE_STATUSES, PAYING_STATUSES } from '../entitlements/subscription-status.constant.js';
import { DEAD_LETTER_SQL, UNOWNED_EVENT_SQL } from '../webhooks/webhooks.sql.js';
import type { AdminBillingAccountFilterInput } from './admin-args.input.js';

/*
 * The raw SQL of the admin module: the read side (accounts, history, the inbox), the repairs and
 * reconciliation. The list filters are assembled by the pure builders below, which number their
 * parameters as they add conditions. Inbox conditions come from webhooks.sql.ts.
 */

/** A query and its parameters, as a builder assembles them. */
export interface BuiltQuery {
  text: string;
  params: unknown[];
}

const EVENT_COLUMNS = `e.id, e.type, e.status, e.attempts, e.next_attempt_at, e.last_error, e.customer_id, e.business_id,
  e.stripe_created_at, e.received_at, e.processed_at, e.received_at::text AS received_key, ${UNOWNED_EVENT_SQL} AS unowned`;

/**
 * The business's counters of the given metrics, every window; a window carried to another
 * (a new anchor) reads the count of the window it was carried to, as SELECT_USED does, for an
 * instance whose cached account still names the old window. $1 = business, $2 = metric keys.
 */
export const USAGE_COUNTERS_OF_METRICS = `
  SELECT c.metric, c.period_start, coalesce(t.used, c.used) AS used
    FROM usage_counters c
    LEFT JOIN usage_counters t ON t.business_id = c.business_id AND t.metric = c.metric AND t.period_start = c.carried_to
   WHERE c.business_id = $1 AND c.metric = ANY($2)`;

/** The business's billing_sync_log, newest first. $1 = business, $2 = how many. */
export const SYNC_HISTORY = `SELECT status, source, event_id, detail, created_at FROM billing_sync_log
          WHERE business_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`;

/** The business's admin_audit_log, newest first. $1 = business, $2 = how many. */
export const AUDIT_LOG = `SELECT admin_sub, action, target, reason, before, after, created_at FROM admin_audit_log
        WHERE business_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`;

/**
 * Events of one account, by business or by its customer, newest first.
 * $1 = business, $2 = Stripe customer (or null), $3 = statuses (null: all), $4 = how many.
 */
export const ACCOUNT_EVENTS = `SELECT ${EVENT_COLUMNS} FROM stripe_events e
        WHERE (e.business_id = $1 OR ($2::text IS NOT NULL AND e.customer_id = $2))
          AND ($3::text[] IS NULL OR e.status = ANY($3))
        ORDER BY e.received_at DESC, e.id DESC LIMIT $4`;

export interface WebhookEventPageFilter {
  status?: string;
  type?: string;
  /** true: only events of Stripe customers no business owns; otherwise only owned ones. */
  unowned?: boolean | null;
  first: number;
  /** The decoded cursor: [received_at as text, event id] of the last row of the previous page. */
  after: readonly string[] | null;
}

/** One page (first + 1 rows, to tell whether more follow) of the inbox, newest first. */
export function webhookEventPage(filter: WebhookEventPageFilter): BuiltQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.status) where.push(`e.status = ${param(filter.status)}`);
  if (filter.type) where.push(`e.type = ${param(filter.type)}`);
  // Owned and unowned are never mixed: a flood of unowned dead letters must not hide real ones.
  where.push(filter.unowned === true ? UNOWNED_EVENT_SQL : `NOT ${UNOWNED_EVENT_SQL}`);
  if (filter.after) where.push(`(e.received_at, e.id) < (${param(filter.after[0])}::timestamptz, ${param(filter.after[1])})`);
  const text = `SELECT ${EVENT_COLUMNS} FROM stripe_events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.received_at DESC, e.id DESC LIMIT ${param(filter.first + 1)}`;
  return { text, params };
}

/** The inbox per status, dead letters of owned and unowned customers apart, and its oldest open event; one row. No parameters. */
export const WEBHOOK_STATS = `SELECT count(*) FILTER (WHERE e.status = 'pending')::int AS pending,
              count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
              count(*) FILTER (WHERE e.status = 'processed')::int AS processed,
              count(*) FILTER (WHERE e.status = 'ignored')::int AS ignored,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND NOT ${UNOWNED_EVENT_SQL})::int AS dead,
              count(*) FILTER (WHERE ${DEAD_LETTER_SQL} AND ${UNOWNED_EVENT_SQL})::int AS dead_unowned,
              min(e.received_at) FILTER (WHERE e.status IN ('pending', 'failed')) AS oldest
         FROM stripe_events e`;

/** Accounts in a scope; one row { n }. $1 = only those with a Stripe customer, $2 = only this business (or null). */
export const COUNT_ACCOUNTS = `SELECT count(*)::int AS n FROM billing_accounts
        WHERE ($1::boolean IS FALSE OR stripe_customer_id IS NOT NULL) AND ($2::text IS NULL OR business_id = $2)`;

export interface BillingAccountPageContext {
  now: Date;
  /** The plan of an account nothing else gives one. */
  defaultPlanKey: string;
}

/**
 * One page (first + 1 business ids) of accounts by business id. The plan filter mirrors
 * effectivePlan's order in SQL, on the same status sets. `after`: the decoded cursor [business id].
 */
export function billingAccountPage(
  filter: AdminBillingAccountFilterInput,
  first: number,
  after: readonly string[] | null,
  context: BillingAccountPageContext,
): BuiltQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const effectivePlanSql = () => {
    const now = param(context.now);
    return `(CASE
      WHEN a.override_plan_key IS NOT NULL AND (a.override_until IS NULL OR a.override_until > ${now}::timestamptz) THEN a.override_plan_key
      WHEN a.subscription_status = ANY(${param([...PAYING_STATUSES])}::text[]) THEN a.plan_key
      WHEN a.subscription_status = ANY(${param([...GRACE_STATUSES])}::text[]) AND a.grace_period_ends_at > ${now}::timestamptz THEN a.plan_key
      WHEN a.trial_status = 'active' AND a.trial_plan_key IS NOT NULL AND a.trial_ends_at > ${now}::timestamptz THEN a.trial_plan_key
      ELSE ${param(context.defaultPlanKey)} END)`;
  };
  if (filter.billingSyncStatus) where.push(`a.billing_sync_status = ${param(filter.billingSyncStatus)}`);
  if (filter.planKey) where.push(`${effectivePlanSql()} = ${param(filter.planKey)}`);
  if (filter.subscriptionStatus) where.push(`a.subscription_status = ${param(filter.subscriptionStatus)}`);
  if (filter.trialStatus) where.push(`a.trial_status = ${param(filter.trialStatus)}`);
  if (filter.email) {
    where.push(`a.billing_email ILIKE ${param(`%${filter.email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  }
  if (filter.syncedBefore) where.push(`(a.last_synced_at IS NULL OR a.last_synced_at < ${param(filter.syncedBefore)})`);
  if (filter.hasDeadLetters !== undefined) {
    where.push(`${filter.hasDeadLetters ? '' : 'NOT '}EXISTS (SELECT 1 FROM stripe_events e WHERE ${DEAD_LETTER_SQL}
        AND (e.business_id = a.business_id OR (a.stripe_customer_id IS NOT NULL AND e.customer_id = a.stripe_customer_id)))`);
  }
  if (filter.overLimit !== undefined) {
    where.push(`${filter.overLimit ? '' : 'NOT '}EXISTS (SELECT 1 FROM usage_counters u JOIN plans p ON p.key = ${effectivePlanSql()}
        WHERE u.business_id = a.business_id AND p.limits -> u.metric ->> 'kind' = 'count'
          AND (p.limits -> u.metric ->> 'limit')::int <> -1 AND u.used > (p.limits -> u.metric ->> 'limit')::int)`);
  }
  if (after) where.push(`a.business_id > ${param(after[0])}`);
  const text = `SELECT a.business_id FROM billing_accounts a ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.business_id LIMIT ${param(first + 1)}`;
  return { text, params };
}

/**
 * How each recountable COUNT metric is counted from the product's own rows; one row { n }.
 * $1 = business. A count metric missing here is left alone by a recount and reported as such
 * (notRecountableMetrics: the recount's audit row, a logged warning, the CLI and the
 * reconciliation summary).
 */
export const COUNT_SOURCES: Record<string, string> = {
  [CAMPAIGNS_METRIC]: 'SELECT count(*)::int AS n FROM campaigns WHERE business_id = $1',
};

/**
 * A counter's value and when it last changed (the service's Clock), its row locked (waits for
 * reservations in flight). $1 = business, $2 = metric, $3 = period start.
 */
export const LOCK_USAGE_COUNTER = `SELECT used, updated_at FROM usage_counters
   WHERE business_id = $1 AND metric = $2 AND period_start = $3 FOR UPDATE`;

/** Sets a counter to a recounted value. $1 = business, $2 = metric, $3 = period start, $4 = count, $5 = now (the Clock). */
export const SET_USAGE_COUNTER = `INSERT INTO usage_counters (business_id, metric, period_start, used, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (business_id, metric, period_start) DO UPDATE SET used = EXCLUDED.used, updated_at = EXCLUDED.updated_at`;

/** A webhook event locked for a replay, with the business it belongs to (by id, else by customer). $1 = event id. */
export const LOCK_EVENT_FOR_REPLAY = `SELECT e.id, e.status, e.attempts, e.last_error,
                coalesce(e.business_id, (SELECT a.business_id FROM billing_accounts a WHERE a.stripe_customer_id = e.customer_id)) AS business_id
           FROM stripe_events e WHERE e.id = $1 FOR UPDATE`;

/** The dead letters to replay, oldest first and locked: one business's, or all owned, or all unowned ones. */
export function deadLettersToReplay(scope: { businessId: string | null; unowned: boolean }): BuiltQuery {
  const which = scope.businessId
    ? `(e.business_id = $1 OR e.customer_id = (SELECT a.stripe_customer_id FROM billing_accounts a WHERE a.business_id = $1))`
    : scope.unowned
      ? UNOWNED_EVENT_SQL
      : `NOT ${UNOWNED_EVENT_SQL}`;
  return {
    text: `SELECT e.id FROM stripe_events e WHERE ${DEAD_LETTER_SQL} AND ${which} ORDER BY e.received_at FOR UPDATE`,
    params: scope.businessId ? [scope.businessId] : [],
  };
}

/** The stored subscriptions of a Stripe customer. $1 = customer id. */
export const SUBSCRIPTIONS_OF_CUSTOMER = `SELECT id, status, stripe_created_at FROM subscriptions WHERE customer_id = $1`;
