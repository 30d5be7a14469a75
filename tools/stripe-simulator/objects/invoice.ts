import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { applyCustomerBalance } from '../billing/balance.js';
import { decimalString } from './catalog.js';

/** One invoice line as the billing engine thinks of it, before it is dressed as a Stripe line item. */
export interface LineSpec {
  amount: number;
  description: string;
  price: Stripe.Price;
  quantity: number;
  periodStart: number;
  periodEnd: number;
  proration: boolean;
  subscription: string | null;
  subscriptionItem: string | null;
}

export function buildInvoiceLine(invoiceId: string | null, spec: LineSpec, currency: string): Stripe.InvoiceLineItem {
  const product = typeof spec.price.product === 'string' ? spec.price.product : spec.price.product.id;
  return {
    id: newId(invoiceId ? 'il' : 'il_tmp'),
    object: 'line_item',
    amount: spec.amount,
    currency,
    description: spec.description,
    discount_amounts: [],
    discountable: !spec.proration,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: spec.subscriptionItem
      ? {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: spec.proration ? newId('ii') : null,
            proration: spec.proration,
            proration_details: { credited_items: null },
            subscription: spec.subscription,
            subscription_item: spec.subscriptionItem,
          },
        }
      : null,
    period: { start: spec.periodStart, end: spec.periodEnd },
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: spec.price.id, product },
      unit_amount_decimal: spec.price.unit_amount_decimal,
    },
    quantity: spec.quantity,
    quantity_decimal: decimalString(spec.quantity),
    subscription: spec.subscription,
    subtotal: spec.amount,
    taxes: [],
  };
}

export function buildInvoice(input: {
  /** Null for a preview: Stripe gives previews an `upcoming_in_` id and no number. */
  id: string | null;
  now: number;
  customer: Stripe.Customer;
  currency: string;
  subscription: { id: string; metadata: Record<string, string> } | null;
  lines: LineSpec[];
  billingReason: Stripe.Invoice.BillingReason;
  periodStart: number;
  periodEnd: number;
  number: string | null;
  baseUrl: string;
}): Stripe.Invoice {
  const id = input.id ?? newId('upcoming_in');
  const lines = input.lines.map((l) => buildInvoiceLine(input.id, l, input.currency));
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  const balance = applyCustomerBalance(total, input.customer.balance);
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe Simulator',
    account_tax_ids: null,
    amount_due: balance.amountDue,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: balance.amountDue,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: input.id !== null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: 'charge_automatically',
    created: input.now,
    currency: input.currency,
    custom_fields: null,
    customer: input.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: input.customer.email,
    customer_name: input.customer.name ?? null,
    customer_phone: input.customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: input.id === null ? null : balance.endingBalance,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: input.id ? `${input.baseUrl}/invoices/${id}` : null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: input.number,
    on_behalf_of: null,
    parent: input.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { metadata: { ...input.subscription.metadata }, subscription: input.subscription.id },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: input.customer.balance,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}
