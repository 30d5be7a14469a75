import { expect } from '@jest/globals';
import { ManualClock } from '../../src/clock/clock.js';
import type { SimulatedStripe } from './billing-with-simulator.js';
import { createTestApp, type GraphqlResponse, type TestApp } from './create-test-app.js';

export const BILLING_FIELDS = `businessId planSource billingSyncStatus plan { key }
  subscription { id status planKey interval currentPeriodStart currentPeriodEnd cancelAtPeriodEnd cancelAt trialEnd
    scheduledChange { planKey interval effectiveAt } }
  usage { metric kind used limit remaining periodStart periodEnd }
  warnings { code message until }
  overLimit { metric used limit }`;
export const BILLING = `{ billing { ${BILLING_FIELDS} } }`;
export const CHECKOUT = `mutation($plan: String!, $interval: BillingInterval!, $withTrial: Boolean = false) {
  createCheckoutSession(input: { planKey: $plan, interval: $interval, withTrial: $withTrial }) { id url } }`;
export const PREVIEW = `mutation($plan: String!, $interval: BillingInterval!) {
  previewPlanChange(input: { planKey: $plan, interval: $interval }) {
    amountDueNow currency nextInvoiceAmount effectiveAt overLimit { metric used limit } } }`;
export const CHANGE_PLAN = `mutation($plan: String!, $interval: BillingInterval!, $when: PlanChangeTiming, $prorationDate: DateTime) {
  changePlan(input: { planKey: $plan, interval: $interval, when: $when, prorationDate: $prorationDate }) { ${BILLING_FIELDS} } }`;
export const CANCEL_SCHEDULED = `mutation { cancelScheduledPlanChange { ${BILLING_FIELDS} } }`;
export const SUBSCRIPTION_FIELDS = 'id status planKey cancelAtPeriodEnd cancelAt currentPeriodEnd scheduledChange { planKey }';
export const CANCEL = `mutation($atPeriodEnd: Boolean) { cancelSubscription(atPeriodEnd: $atPeriodEnd) { ${SUBSCRIPTION_FIELDS} } }`;
export const RESUME = `mutation { resumeSubscription { ${SUBSCRIPTION_FIELDS} } }`;
export const PORTAL = 'mutation { createBillingPortalSession { url } }';

export interface BillingView {
  businessId: string;
  planSource: string;
  billingSyncStatus: string;
  plan: { key: string };
  subscription: {
    id: string;
    status: string;
    planKey: string | null;
    interval: string | null;
    currentPeriodStart: string | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    cancelAt: string | null;
    trialEnd: string | null;
    scheduledChange: { planKey: string; interval: string; effectiveAt: string } | null;
  } | null;
  usage: { metric: string; kind: string; used: number; limit: number; remaining: number | null; periodStart: string | null; periodEnd: string | null }[];
  warnings: { code: string; message: string; until: string | null }[];
  overLimit: { metric: string; used: number; limit: number }[];
}

/** An app on the simulator whose Clock is a ManualClock kept at the simulator's time. */
export async function startClockedBillingApp(stripe: SimulatedStripe): Promise<{ t: TestApp; clock: ManualClock }> {
  const clock = new ManualClock(stripe.sim.now() * 1000);
  const t = await createTestApp({ env: stripe.env, listenPort: stripe.webhookPort, clock });
  return { t, clock };
}

/** Moves the simulator's clock (its renewals and retries run on the way) and the app's with it. */
export function advanceClocks(stripe: SimulatedStripe, clock: ManualClock, seconds: number): void {
  stripe.sim.advanceClock(seconds);
  clock.set(stripe.sim.now() * 1000);
}

export function ownerToken(t: TestApp, business: string): Promise<string> {
  return t.token({ business, role: 'owner', email: `${business}@example.test` });
}

/** A successful GraphQL call: fails the test with the errors otherwise. */
export async function ok<T>(response: Promise<GraphqlResponse<T>>): Promise<T> {
  const res = await response;
  expect(res.errors).toBeUndefined();
  return res.data!;
}

export async function billingOf(t: TestApp, business: string): Promise<BillingView> {
  return (await ok(t.gql<{ billing: BillingView }>(BILLING, {}, await ownerToken(t, business)))).billing;
}

/** The owner buys a plan through our checkout, pays on the simulator, and comes back through the return route. */
export async function subscribe(
  t: TestApp,
  stripe: SimulatedStripe,
  business: string,
  plan: string,
  interval: 'MONTHLY' | 'YEARLY' = 'MONTHLY',
): Promise<BillingView> {
  const { createCheckoutSession: session } = await ok(
    t.gql<{ createCheckoutSession: { id: string } }>(CHECKOUT, { plan, interval }, await ownerToken(t, business)),
  );
  await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, { outcome: 'paid' });
  const res = await t.http().get(`/billing/checkout/return?session_id=${session.id}`);
  expect(res.headers.location).toMatch(/checkout=success$/);
  return billingOf(t, business);
}
