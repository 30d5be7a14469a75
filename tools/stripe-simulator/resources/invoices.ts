import type { Route } from '../http/api.js';
import { cardDeclined, invalidRequest } from '../core/errors.js';
import { previewInvoice } from '../billing/preview.js';
import type { ProrationBehavior } from '../billing/changes.js';
import { createdFilter, newestFirst, paginate } from '../http/list.js';
import { subscriptionRecord } from './subscriptions.js';
import { itemChanges } from './item-params.js';

const PRORATION = ['create_prorations', 'always_invoice', 'none'] as const;

export const invoiceRoutes: Route[] = [
  {
    method: 'POST',
    path: '/invoices/create_preview',
    handler: (ctx, { params }) => {
      const subId = params.str('subscription');
      const rec = subId ? subscriptionRecord(ctx, subId, 'subscription') : null;
      const customerId = params.str('customer') ?? (rec ? (rec.sub.customer as string) : undefined);
      if (!customerId) throw invalidRequest('Must provide customer or subscription.', 'customer', 'parameter_missing');
      const customer = ctx.customer(customerId);
      if (rec && rec.sub.customer !== customer.id) throw invalidRequest('The subscription does not belong to that customer.', 'subscription');
      const details = params.obj('subscription_details');
      return previewInvoice(ctx, {
        customer,
        subscription: rec,
        items: details ? itemChanges(ctx, details) : undefined,
        prorationBehavior: (details?.oneOf('proration_behavior', PRORATION) ?? 'create_prorations') as ProrationBehavior,
        prorationDate: details?.int('proration_date'),
        cancelAtPeriodEnd: details?.bool('cancel_at_period_end') || details?.bool('cancel_now'),
      });
    },
  },
  { method: 'GET', path: '/invoices/:id', handler: (ctx, { path }) => ctx.invoice(path['id']!) },
  {
    method: 'GET',
    path: '/invoices/:id/lines',
    handler: (ctx, { path, params }) => {
      const invoice = ctx.invoice(path['id']!);
      return paginate(invoice.lines.data, params, `/v1/invoices/${invoice.id}/lines`);
    },
  },
  {
    method: 'POST',
    path: '/invoices/:id/pay',
    handler: (ctx, { path }) => {
      const invoice = ctx.invoice(path['id']!);
      if (invoice.status !== 'open') throw invalidRequest(`Invoice is already ${invoice.status ?? 'closed'}.`, undefined, 'invoice_not_open');
      const ok = ctx.engine.collect(invoice, undefined, invoice.next_payment_attempt);
      if (!ok) {
        // invoices.pay surfaces the decline as an error, like Stripe; the failed attempt is still recorded.
        throw cardDeclined();
      }
      return invoice;
    },
  },
  {
    method: 'GET',
    path: '/invoices',
    handler: (ctx, { params }) => {
      const customer = params.str('customer');
      const subscription = params.str('subscription');
      const status = params.str('status');
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.invoices.values()).filter(
        (i) =>
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || i.parent?.subscription_details?.subscription === subscription) &&
          (status === undefined || i.status === status) &&
          created(i.created),
      );
      return paginate(all, params, '/v1/invoices');
    },
  },
];
