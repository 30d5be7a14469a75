import { expect } from '@jest/globals';
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

/** What a PLAN_LIMIT_EXCEEDED denial carries beside its code (EnforcementService.reserve). */
export interface PlanLimitDenial {
  metric: string;
  used: number;
  limit: number;
  requested: number;
  plan: string;
  upgradeRequired: boolean;
  suggestedPlan: string | null;
}

export interface PlanLimitDenialOptions {
  /** The message; by default it only has to start as every plan-limit message does. */
  message?: RegExp;
}

const PLAN_LIMIT_MESSAGE = /^Plan limit reached: /;

/**
 * Every denial field, each with its expected value or at least its type, so that a check naming
 * a few values still proves the whole denial is there (and nothing else, under toEqual).
 */
function denialFields(actual: Record<string, unknown> | undefined, expected: Partial<PlanLimitDenial>): Record<string, unknown> {
  return {
    code: 'PLAN_LIMIT_EXCEEDED',
    metric: expect.any(String),
    used: expect.any(Number),
    limit: expect.any(Number),
    requested: expect.any(Number),
    plan: expect.any(String),
    upgradeRequired: true,
    // A string or null: null only when no plan fits.
    suggestedPlan: actual?.suggestedPlan === null ? null : expect.any(String),
    ...expected,
  };
}

/** A refusal is real only when the request did not fit: used + requested is over the limit. */
function expectDidNotFit(fields: Record<string, unknown>): void {
  expect(Number(fields.used) + Number(fields.requested)).toBeGreaterThan(Number(fields.limit));
}

/**
 * Asserts a GraphQL answer (t.gql's, or a supertest POST /graphql) is a plan-limit denial and
 * nothing else: no data, one error, the plan-limit message, and extensions holding exactly the
 * denial's fields with `expected`'s values.
 */
export function expectPlanLimitExceeded(
  response: GraphqlResponse<unknown> | { body: GraphqlResponse<unknown> },
  expected: Partial<PlanLimitDenial> = {},
  options: PlanLimitDenialOptions = {},
): void {
  const answer = 'body' in response ? response.body : response;
  expect(answer.data).toBeNull();
  expect(answer.errors).toHaveLength(1);
  const [error] = answer.errors!;
  expect(error.message).toMatch(options.message ?? PLAN_LIMIT_MESSAGE);
  expect(error.extensions).toEqual(denialFields(error.extensions, expected));
  expectDidNotFit(error.extensions!);
}

/**
 * Asserts a REST answer is the plan-limit denial: 403 and a body holding exactly the denial's
 * fields with `expected`'s values, and the seed system's names beside ours (seed-compat.e2e-spec.ts).
 */
export function expectRestPlanLimitExceeded(
  response: { status: number; body: Record<string, unknown> },
  expected: Partial<PlanLimitDenial> = {},
  options: PlanLimitDenialOptions = {},
): void {
  expect(response.status).toBe(403);
  expect(response.body).toEqual({
    statusCode: 403,
    message: expect.stringMatching(options.message ?? PLAN_LIMIT_MESSAGE),
    ...denialFields(response.body, expected),
    error: response.body.message,
    usage: { current: response.body.used, limit: response.body.limit },
    upgrade_required: true,
  });
  expectDidNotFit(response.body);
}
