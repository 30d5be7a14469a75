import type { BillingInterval, MetricKind, UsageWindowKind } from './plan-catalog.dto.js';

export const UNLIMITED = -1;

export interface CatalogMetric {
  key: string;
  name: string;
  kind: MetricKind;
  /** The window a PERIOD metric counts in; null for COUNT metrics. */
  window: UsageWindowKind | null;
}

export interface PlanDefinition {
  key: string;
  name: string;
  description: string | null;
  sortOrder: number;
  currency: string;
  prices: Record<BillingInterval, number>;
  /** metric key -> limit, -1 = unlimited; every catalog metric is present. */
  limits: Record<string, number>;
  /** feature key -> enabled; every catalog feature is present. */
  features: Record<string, boolean>;
  /** On sale (listed, purchasable). False for plans the catalog marks inactive and for retired plans. */
  active: boolean;
  isFree: boolean;
  /**
   * No longer in the catalog file: loaded from its last definition in the `plans` table so that
   * accounts still on it keep its limits and features. Never sold.
   */
  retired: boolean;
  /** Days of free trial this plan offers; 0 = none. */
  trialDays: number;
}

export interface PlanCatalog {
  currency: string;
  defaultPlan: string;
  metrics: CatalogMetric[];
  featureKeys: string[];
  plans: PlanDefinition[];
}

/** Stripe price ids per paid plan and interval, from STRIPE_<PLAN>_<INTERVAL>_PRICE_ID. */
export type PlanPriceIds = Record<string, Partial<Record<BillingInterval, string>>>;
