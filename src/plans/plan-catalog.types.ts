import type { BillingInterval, MetricKind } from './plan-catalog.dto.js';

export const UNLIMITED = -1;

export interface CatalogMetric {
  key: string;
  name: string;
  kind: MetricKind;
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
  active: boolean;
  isFree: boolean;
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
