import type Stripe from 'stripe';
import { newId } from '../core/ids.js';

export function buildPortalSession(input: {
  now: number;
  customer: string;
  returnUrl: string | null;
  baseUrl: string;
  flow: Stripe.BillingPortal.Session.Flow | null;
}): Stripe.BillingPortal.Session {
  const id = newId('bps');
  return {
    id,
    object: 'billing_portal.session',
    configuration: 'bpc_simulator_default',
    created: input.now,
    customer: input.customer,
    customer_account: null,
    flow: input.flow,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: input.returnUrl,
    url: `${input.baseUrl}/portal/${id}`,
  };
}

export function buildWebhookEndpoint(input: {
  now: number;
  url: string;
  enabledEvents: string[];
  apiVersion: string | null;
  description: string | null;
  metadata: Record<string, string>;
  secret: string;
  id?: string;
}): Stripe.WebhookEndpoint {
  return {
    id: input.id ?? newId('we'),
    object: 'webhook_endpoint',
    api_version: input.apiVersion,
    application: null,
    created: input.now,
    description: input.description,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: input.metadata,
    secret: input.secret,
    status: 'enabled',
    url: input.url,
  };
}

export interface SchedulePhaseSpec {
  startDate: number;
  endDate: number;
  items: Array<{ price: Stripe.Price; quantity: number }>;
  prorationBehavior: Stripe.SubscriptionSchedule.Phase.ProrationBehavior;
  metadata: Record<string, string>;
}

export function buildSchedulePhase(spec: SchedulePhaseSpec, currency: string): Stripe.SubscriptionSchedule.Phase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: spec.endDate,
    invoice_settings: null,
    items: spec.items.map((i) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: i.price.id,
      price: i.price.id,
      quantity: i.quantity,
      tax_rates: [],
    })),
    metadata: spec.metadata,
    on_behalf_of: null,
    proration_behavior: spec.prorationBehavior,
    start_date: spec.startDate,
    transfer_data: null,
    trial_end: null,
  };
}

export function buildSchedule(input: {
  now: number;
  customer: string;
  subscription: string;
  phases: Stripe.SubscriptionSchedule.Phase[];
  endBehavior: Stripe.SubscriptionSchedule.EndBehavior;
  metadata: Record<string, string>;
}): Stripe.SubscriptionSchedule {
  const first = input.phases[0];
  return {
    id: newId('sub_sched'),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible', updated_at: input.now },
    canceled_at: null,
    completed_at: null,
    created: input.now,
    current_phase: first ? { start_date: first.start_date, end_date: first.end_date } : null,
    customer: input.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, days_until_due: null, description: null, footer: null, issuer: { type: 'self' } },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: input.endBehavior,
    livemode: false,
    metadata: input.metadata,
    pause_schedules: [],
    phases: input.phases,
    released_at: null,
    released_subscription: null,
    status: 'active',
    subscription: input.subscription,
    test_clock: null,
  };
}
