import type Stripe from 'stripe';
import { invalidRequest } from '../core/errors.js';
import type { Params } from '../core/params.js';

/**
 * Stripe's cursor pagination over `items`, which must already be newest first. Unknown cursors are
 * an error, as on Stripe, so a client that pages with a stale id notices.
 */
export function paginate<T extends { id?: string }>(items: T[], params: Params, url: string): Stripe.ApiList<T> {
  const limit = params.int('limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest('This value must be between 1 and 100.', 'limit');
  const after = params.str('starting_after');
  const before = params.str('ending_before');
  let window = items;
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    if (i === -1) throw invalidRequest(`No such object: '${after}'`, 'starting_after', 'resource_missing');
    window = items.slice(i + 1);
    return { object: 'list', data: window.slice(0, limit), has_more: window.length > limit, url };
  }
  if (before) {
    const i = items.findIndex((x) => x.id === before);
    if (i === -1) throw invalidRequest(`No such object: '${before}'`, 'ending_before', 'resource_missing');
    window = items.slice(0, i);
    return { object: 'list', data: window.slice(Math.max(0, window.length - limit)), has_more: window.length > limit, url };
  }
  return { object: 'list', data: window.slice(0, limit), has_more: window.length > limit, url };
}

/** Newest first, which is Stripe's list order; maps hold insertion (= creation) order. */
export function newestFirst<T>(values: Iterable<T>): T[] {
  return [...values].reverse();
}

/** `created` filter: an exact timestamp or `created[gte]=...` style bounds. */
export function createdFilter(params: Params): (created: number) => boolean {
  if (!params.has('created')) return () => true;
  const exact = params.raw['created'];
  if (typeof exact === 'string') {
    const n = params.int('created');
    return (c) => c === n;
  }
  const range = params.obj('created');
  const gt = range?.int('gt');
  const gte = range?.int('gte');
  const lt = range?.int('lt');
  const lte = range?.int('lte');
  return (c) => (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}
