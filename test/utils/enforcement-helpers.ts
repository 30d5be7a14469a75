import { EntitlementsService } from '../../src/entitlements/entitlements.service.js';
import type { GraphqlResponse, TestApp } from './create-test-app.js';

export const CREATE_CAMPAIGN = `mutation($name: String!) { createCampaign(input: { name: $name }) { id name } }`;
export const DELETE_CAMPAIGN = `mutation($id: ID!) { deleteCampaign(id: $id) }`;
export const START_SEARCH = `mutation($query: String!, $n: Int!) {
  startCreatorSearch(input: { query: $query, expectedCreators: $n }) { id requested granted partial status } }`;
export const COMPLETE_SEARCH = `mutation($id: ID!, $found: Int!) {
  completeCreatorSearch(id: $id, creatorsFound: $found) { id granted found status } }`;
export const CAN_USE = `query($metric: String!, $amount: Int) {
  canUse(metric: $metric, amount: $amount) { allowed reason plan used limit requested remaining upgradeRequired suggestedPlan } }`;

export interface CampaignData {
  createCampaign: { id: string; name: string };
}
export interface SearchData {
  startCreatorSearch: { id: string; requested: number; granted: number; partial: boolean; status: string };
}
export interface CanUseData {
  canUse: {
    allowed: boolean;
    reason: string;
    plan: string;
    used: number;
    limit: number;
    requested: number;
    remaining: number;
    upgradeRequired: boolean;
    suggestedPlan: string | null;
  };
}

export interface PlanState {
  planKey: string;
  /** The subscription's billing period, whose start is also its billing cycle anchor; omitted = no subscription. */
  period?: { start: Date; end: Date };
}

/**
 * Puts a business on a plan the way billing sync leaves an account (an active subscription on
 * that plan, or no subscription for the default plan), then invalidates its entitlements as the
 * webhook worker does. `notify: false` changes the row only, to prove a cache is in use.
 */
export async function setPlan(t: TestApp, businessId: string, state: PlanState, notify = true): Promise<void> {
  const free = state.planKey === 'free';
  await t.dataSource.query(
    `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, subscription_status, current_period_start, current_period_end,
                                   billing_cycle_anchor)
     VALUES ($1, $2, 'account_created', $3, $4, $5, $4)
     ON CONFLICT (business_id) DO UPDATE SET plan_key = EXCLUDED.plan_key, subscription_status = EXCLUDED.subscription_status,
       current_period_start = EXCLUDED.current_period_start, current_period_end = EXCLUDED.current_period_end,
       billing_cycle_anchor = coalesce(EXCLUDED.billing_cycle_anchor, billing_accounts.billing_cycle_anchor), updated_at = now()`,
    [businessId, state.planKey, free ? null : 'active', state.period?.start ?? null, state.period?.end ?? null],
  );
  if (notify) await t.app.get(EntitlementsService).invalidate(businessId);
}

export async function usageOf(t: TestApp, businessId: string, metric: string): Promise<number> {
  const rows: { used: number }[] = await t.dataSource.query(
    `SELECT coalesce(sum(used), 0)::int AS used FROM usage_counters WHERE business_id = $1 AND metric = $2`,
    [businessId, metric],
  );
  return rows[0].used;
}

export async function campaignCount(t: TestApp, businessId: string): Promise<number> {
  const rows: { count: number }[] = await t.dataSource.query(
    'SELECT count(*)::int AS count FROM campaigns WHERE business_id = $1',
    [businessId],
  );
  return rows[0].count;
}

export function errorCodes(responses: GraphqlResponse<unknown>[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const response of responses) {
    const code = response.errors ? String(response.errors[0].extensions?.code) : 'OK';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}
