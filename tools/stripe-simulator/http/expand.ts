import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MAX_DEPTH = 4;

/**
 * Applies `expand[]` paths to a response (already a private copy): ids become the objects they
 * name, `data.` prefixes walk list items, and a Checkout Session gains its `line_items`.
 */
export function applyExpand(ctx: SimContext, result: unknown, paths: string[]): void {
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property.`, 'expand');
    walk(ctx, result, segments);
  }
}

function walk(ctx: SimContext, node: unknown, segments: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(ctx, item, segments);
    return;
  }
  if (!isObject(node) || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (node.object === 'checkout.session' && head === 'line_items' && node.line_items === undefined) {
    const record = ctx.store.checkoutSessions.get(String(node.id));
    const data: Stripe.LineItem[] = record ? structuredClone(record.lineItems) : [];
    node.line_items = { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${String(node.id)}/line_items` };
  }
  let value = node[head];
  if (typeof value === 'string') {
    const found = ctx.store.lookup(value);
    if (found) {
      value = structuredClone(found);
      node[head] = value;
    }
  }
  if (rest.length > 0) walk(ctx, value, rest);
}
