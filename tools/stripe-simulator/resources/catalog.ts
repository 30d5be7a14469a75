import type Stripe from 'stripe';
import type { Route } from '../http/api.js';
import type { SimContext } from '../core/context.js';
import { invalidRequest, missingParam, resourceMissing } from '../core/errors.js';
import { snapshot } from '../core/diff.js';
import { mergeMetadata, type Params } from '../core/params.js';
import { buildPrice, buildProduct } from '../objects/catalog.js';
import { createdFilter, newestFirst, paginate } from '../http/list.js';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;

function product(ctx: SimContext, id: string, param = 'id'): Stripe.Product {
  const p = ctx.store.products.get(id);
  if (!p) throw resourceMissing('product', id, param);
  return p;
}

function createProduct(ctx: SimContext, params: Params, id?: string): Stripe.Product {
  const name = params.requiredStr('name');
  if (id && ctx.store.products.has(id)) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  const p = buildProduct({
    now: ctx.now(),
    id,
    name,
    description: params.str('description') || null,
    active: params.bool('active') ?? true,
    metadata: mergeMetadata({}, params.metadata()),
  });
  ctx.store.products.set(p.id, p);
  ctx.events.emit('product.created', p);
  return p;
}

/** Lookup keys are unique among prices; `transfer_lookup_key` moves one from the price holding it. */
function claimLookupKey(ctx: SimContext, key: string, transfer: boolean, forPrice: string | null): void {
  for (const other of ctx.store.prices.values()) {
    if (other.lookup_key !== key || other.id === forPrice) continue;
    if (!transfer) {
      throw invalidRequest(`A price (\`${other.id}\`) already uses that lookup key. Pass transfer_lookup_key=true to move it.`, 'lookup_key', 'lookup_key_already_used');
    }
    const before = snapshot(other);
    other.lookup_key = null;
    ctx.events.emitUpdated('price.updated', before, other);
  }
}

export const catalogRoutes: Route[] = [
  {
    method: 'POST',
    path: '/products',
    handler: (ctx, { params }) => createProduct(ctx, params, params.str('id') || undefined),
  },
  { method: 'GET', path: '/products/:id', handler: (ctx, { path }) => product(ctx, path['id']!) },
  {
    method: 'POST',
    path: '/products/:id',
    handler: (ctx, { path, params }) => {
      const p = product(ctx, path['id']!);
      const before = snapshot(p);
      const name = params.str('name');
      if (name) p.name = name;
      if (params.has('description')) p.description = params.str('description') || null;
      const active = params.bool('active');
      if (active !== undefined) p.active = active;
      if (params.has('default_price')) p.default_price = params.str('default_price') || null;
      p.metadata = mergeMetadata(p.metadata, params.metadata());
      p.updated = ctx.now();
      ctx.events.emitUpdated('product.updated', before, p);
      return p;
    },
  },
  {
    method: 'GET',
    path: '/products',
    handler: (ctx, { params }) => {
      const active = params.bool('active');
      const ids = params.strList('ids');
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.products.values()).filter(
        (p) => (active === undefined || p.active === active) && (ids.length === 0 || ids.includes(p.id)) && created(p.created),
      );
      return paginate(all, params, '/v1/products');
    },
  },
  {
    method: 'POST',
    path: '/prices',
    handler: (ctx, { params }) => {
      const currency = params.requiredStr('currency').toLowerCase();
      const unitAmount = params.int('unit_amount');
      if (unitAmount === undefined) throw missingParam('unit_amount');
      if (unitAmount < 0) throw invalidRequest('unit_amount must be zero or more.', 'unit_amount');
      let productId = params.str('product');
      const productData = params.obj('product_data');
      if (productId) product(ctx, productId, 'product');
      else if (productData) productId = createProduct(ctx, productData).id;
      else throw missingParam('product');
      const recurringParams = params.obj('recurring');
      let recurring: { interval: (typeof INTERVALS)[number]; interval_count: number } | null = null;
      if (recurringParams) {
        const interval = recurringParams.oneOf('interval', INTERVALS);
        if (!interval) throw missingParam('recurring[interval]');
        recurring = { interval, interval_count: recurringParams.int('interval_count') ?? 1 };
      }
      const lookupKey = params.str('lookup_key') || null;
      if (lookupKey) claimLookupKey(ctx, lookupKey, params.bool('transfer_lookup_key') ?? false, null);
      const price = buildPrice({
        now: ctx.now(),
        product: productId,
        currency,
        unitAmount,
        recurring,
        lookupKey,
        nickname: params.str('nickname') || null,
        active: params.bool('active') ?? true,
        metadata: mergeMetadata({}, params.metadata()),
      });
      ctx.store.prices.set(price.id, price);
      ctx.events.emit('price.created', price);
      return price;
    },
  },
  { method: 'GET', path: '/prices/:id', handler: (ctx, { path }) => ctx.price(path['id']!, 'id') },
  {
    method: 'POST',
    path: '/prices/:id',
    handler: (ctx, { path, params }) => {
      const price = ctx.price(path['id']!, 'id');
      const before = snapshot(price);
      const active = params.bool('active');
      if (active !== undefined) price.active = active;
      if (params.has('nickname')) price.nickname = params.str('nickname') || null;
      if (params.has('lookup_key')) {
        const key = params.str('lookup_key') || null;
        if (key) claimLookupKey(ctx, key, params.bool('transfer_lookup_key') ?? false, price.id);
        price.lookup_key = key;
      }
      price.metadata = mergeMetadata(price.metadata, params.metadata());
      ctx.events.emitUpdated('price.updated', before, price);
      return price;
    },
  },
  {
    method: 'GET',
    path: '/prices',
    handler: (ctx, { params }) => {
      const active = params.bool('active');
      const productId = params.str('product');
      const type = params.str('type');
      const currency = params.str('currency');
      const lookupKeys = params.strList('lookup_keys');
      const interval = params.obj('recurring')?.str('interval');
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.prices.values()).filter(
        (p) =>
          (active === undefined || p.active === active) &&
          (productId === undefined || p.product === productId) &&
          (type === undefined || p.type === type) &&
          (currency === undefined || p.currency === currency) &&
          (lookupKeys.length === 0 || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
          (interval === undefined || p.recurring?.interval === interval) &&
          created(p.created),
      );
      return paginate(all, params, '/v1/prices');
    },
  },
];
