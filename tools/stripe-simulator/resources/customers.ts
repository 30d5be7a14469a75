import type Stripe from 'stripe';
import type { Route } from '../http/api.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { snapshot } from '../core/diff.js';
import { mergeMetadata, type Params } from '../core/params.js';
import { buildCustomer } from '../objects/catalog.js';
import { createdFilter, newestFirst, paginate } from '../http/list.js';
import type { SimContext } from '../core/context.js';

function nullable(params: Params, key: string): string | null | undefined {
  if (!params.has(key)) return undefined;
  const v = params.str(key);
  return v === '' ? null : (v ?? null);
}

function defaultPaymentMethodOf(ctx: SimContext, params: Params): string | null | undefined {
  const settings = params.obj('invoice_settings');
  if (!settings || !settings.has('default_payment_method')) return undefined;
  const pm = nullable(settings, 'default_payment_method');
  if (pm && !ctx.store.paymentMethods.has(pm)) throw resourceMissing('PaymentMethod', pm, 'invoice_settings[default_payment_method]');
  return pm;
}

/** Tiny subset of Stripe's search query language: `email:'x'`, `name:'x'`, `metadata['k']:'v'`, joined by AND. */
function searchPredicate(query: string): (c: Stripe.Customer) => boolean {
  const clauses = query.split(/\s+AND\s+/i).map((clause) => {
    const m = /^\s*(email|name|metadata\[['"]([^'"]+)['"]\])\s*:\s*['"]([^'"]*)['"]\s*$/.exec(clause);
    if (!m) throw invalidRequest(`The simulator's customer search only understands email:'...', name:'...' and metadata['key']:'...' (got: ${clause}).`, 'query');
    const [, field, metaKey, value] = m;
    if (metaKey) return (c: Stripe.Customer) => c.metadata[metaKey] === value;
    return (c: Stripe.Customer) => (field === 'email' ? c.email : c.name) === value;
  });
  return (c) => clauses.every((p) => p(c));
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/customers',
    handler: (ctx, { params }) => {
      const customer = buildCustomer({
        now: ctx.now(),
        email: params.str('email') || null,
        name: params.str('name') || null,
        description: params.str('description') || null,
        phone: params.str('phone') || null,
        metadata: mergeMetadata({}, params.metadata()),
      });
      const pm = defaultPaymentMethodOf(ctx, params);
      if (pm) customer.invoice_settings.default_payment_method = pm;
      ctx.store.customers.set(customer.id, customer);
      ctx.events.emit('customer.created', customer);
      return customer;
    },
  },
  {
    method: 'GET',
    path: '/customers/search',
    handler: (ctx, { params }) => {
      const match = searchPredicate(params.requiredStr('query'));
      const limit = params.int('limit') ?? 10;
      const all = newestFirst(ctx.store.customers.values()).filter(match);
      return { object: 'search_result', data: all.slice(0, limit), has_more: all.length > limit, next_page: null, url: '/v1/customers/search' };
    },
  },
  {
    method: 'GET',
    path: '/customers/:id',
    handler: (ctx, { path }) => {
      const id = path['id']!;
      if (ctx.store.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
      return ctx.customer(id, 'id');
    },
  },
  {
    method: 'POST',
    path: '/customers/:id',
    handler: (ctx, { path, params }) => {
      const customer = ctx.customer(path['id']!, 'id');
      const before = snapshot(customer);
      for (const key of ['email', 'name', 'description', 'phone'] as const) {
        const v = nullable(params, key);
        if (v !== undefined) customer[key] = v;
      }
      customer.metadata = mergeMetadata(customer.metadata, params.metadata());
      const pm = defaultPaymentMethodOf(ctx, params);
      if (pm !== undefined) customer.invoice_settings.default_payment_method = pm;
      ctx.events.emitUpdated('customer.updated', before, customer);
      return customer;
    },
  },
  {
    method: 'DELETE',
    path: '/customers/:id',
    handler: (ctx, { path }) => {
      const customer = ctx.customer(path['id']!, 'id');
      for (const rec of ctx.store.subscriptions.values()) {
        if (rec.sub.customer === customer.id && !['canceled', 'incomplete_expired'].includes(rec.sub.status)) {
          ctx.engine.cancelNow(rec, 'cancellation_requested');
        }
      }
      ctx.store.customers.delete(customer.id);
      ctx.store.deletedCustomers.add(customer.id);
      ctx.events.emit('customer.deleted', customer);
      return { id: customer.id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/customers',
    handler: (ctx, { params }) => {
      const email = params.str('email');
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.customers.values()).filter((c) => (email === undefined || c.email === email) && created(c.created));
      return paginate(all, params, '/v1/customers');
    },
  },
];
