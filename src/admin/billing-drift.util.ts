import { deriveAccountBilling, type PreviousAccountState } from '../billing/derive-account-billing.util.js';
import { pickCurrentSubscription } from '../billing/pick-current-subscription.util.js';
import { selectPlanItem } from '../billing/select-plan-item.util.js';
import { isLiveStatus } from '../entitlements/subscription-status.constant.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';

/** The billing fields reconciliation compares, as we store them and as Stripe implies them. */
export interface ComparableBilling {
  subscriptionId: string | null;
  planKey: string;
  subscriptionStatus: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  trialStatus: string;
  trialEndsAt: Date | null;
}

export interface FieldDrift {
  field: keyof ComparableBilling;
  ours: string | null;
  stripe: string | null;
}

const FIELDS: (keyof ComparableBilling)[] = [
  'subscriptionId',
  'planKey',
  'subscriptionStatus',
  'currentPeriodStart',
  'currentPeriodEnd',
  'cancelAtPeriodEnd',
  'trialStatus',
  'trialEndsAt',
];

function show(value: ComparableBilling[keyof ComparableBilling]): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Every field where what we store differs from what a sync from Stripe would store, in a fixed
 * order. Dates compare to the second: Stripe has no finer resolution.
 */
export function diffBilling(ours: ComparableBilling, stripe: ComparableBilling): FieldDrift[] {
  const drifts: FieldDrift[] = [];
  for (const field of FIELDS) {
    const a = ours[field];
    const b = stripe[field];
    const same =
      a instanceof Date && b instanceof Date ? Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000) : a === b;
    if (!same) drifts.push({ field, ours: show(a), stripe: show(b) });
  }
  return drifts;
}

/** `field: ours -> Stripe`, as the CLI prints each drift. */
export function formatDrift(drift: FieldDrift): string {
  return `${drift.field}: ${drift.ours ?? '(none)'} -> ${drift.stripe ?? '(none)'}`;
}

/**
 * What a sync from Stripe would store for these subscriptions, computed by the same pure
 * functions the sync uses, so "in sync" means "a sync would change nothing". Throws like the
 * sync does when a paying subscription's plan cannot be resolved. Like the sync, each
 * subscription is first read through its catalog item (selectPlanItem), so an add-on item
 * listed before the plan's item does not decide the price or the period.
 */
export function expectedFromStripe(
  subscriptions: readonly StripeSubscriptionSnapshot[],
  previous: PreviousAccountState,
  planFor: (subscription: StripeSubscriptionSnapshot & { ambiguousItems?: string[] }) => string,
  defaultPlanKey: string,
  now: Date,
  graceDays: number,
  isCatalogPrice: (priceId: string) => boolean,
): ComparableBilling {
  const current = pickCurrentSubscription(subscriptions.map((subscription) => selectPlanItem(subscription, isCatalogPrice)));
  const paying = current && isLiveStatus(current.status);
  const state = deriveAccountBilling(current, paying ? planFor(current) : null, previous, defaultPlanKey, now, graceDays);
  return {
    subscriptionId: current?.id ?? null,
    planKey: state.planKey,
    subscriptionStatus: state.subscriptionStatus,
    currentPeriodStart: state.currentPeriodStart,
    currentPeriodEnd: state.currentPeriodEnd,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    trialStatus: state.trialStatus,
    trialEndsAt: state.trialEndsAt,
  };
}

/** The subscription we consider current among the stored rows (the same rule as for Stripe's). */
export function storedCurrentSubscriptionId(rows: readonly { id: string; status: string; created: Date }[]): string | null {
  return pickCurrentSubscription(rows as unknown as StripeSubscriptionSnapshot[])?.id ?? null;
}
