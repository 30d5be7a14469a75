import type Stripe from 'stripe';
import type { Route } from '../http/api.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { mergeMetadata } from '../core/params.js';
import { API_VERSION } from '../core/constants.js';
import { buildWebhookEndpoint } from '../objects/misc.js';
import { createdFilter, newestFirst, paginate } from '../http/list.js';
import { eventMatches } from '../core/delivery.js';
import type { SimContext } from '../core/context.js';

function endpoint(ctx: SimContext, id: string): Stripe.WebhookEndpoint {
  const ep = ctx.store.webhookEndpoints.get(id);
  if (!ep) throw resourceMissing('webhook_endpoint', id);
  return ep;
}

/** Stripe returns an endpoint's secret only when it is created. */
function withoutSecret(ep: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, ...rest } = ep;
  return rest;
}

export function registerEndpoint(ctx: SimContext, input: { url: string; enabledEvents: string[]; secret?: string; description?: string | null; id?: string }): Stripe.WebhookEndpoint {
  const ep = buildWebhookEndpoint({
    now: ctx.now(),
    url: input.url,
    enabledEvents: input.enabledEvents,
    apiVersion: API_VERSION,
    description: input.description ?? null,
    metadata: {},
    secret: input.secret ?? `whsec_${randomBytes(24).toString('hex')}`,
    id: input.id,
  });
  ctx.store.webhookEndpoints.set(ep.id, ep);
  return ep;
}

function parseUrl(url: string, param: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return url;
  } catch {
    throw invalidRequest(`Invalid URL: ${url}`, param, 'url_invalid');
  }
}

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    path: '/events',
    handler: (ctx, { params }) => {
      const type = params.str('type');
      const types = params.strList('types');
      if (type && types.length > 0) throw invalidRequest('You may only specify one of these parameters: type, types.', 'types');
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.events.values()).filter(
        (e) => (type === undefined || eventMatches([type], e.type)) && (types.length === 0 || eventMatches(types, e.type)) && created(e.created),
      );
      return paginate(all, params, '/v1/events');
    },
  },
  {
    method: 'GET',
    path: '/events/:id',
    handler: (ctx, { path }) => {
      const e = ctx.store.events.get(path['id']!);
      if (!e) throw resourceMissing('event', path['id']!);
      return e;
    },
  },
  {
    method: 'POST',
    path: '/webhook_endpoints',
    handler: (ctx, { params }) => {
      const url = parseUrl(params.requiredStr('url'), 'url');
      const enabledEvents = params.strList('enabled_events');
      if (enabledEvents.length === 0) throw invalidRequest('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
      const ep = registerEndpoint(ctx, { url, enabledEvents, description: params.str('description') || null });
      ep.metadata = mergeMetadata({}, params.metadata());
      if (params.str('api_version')) ep.api_version = params.str('api_version') ?? API_VERSION;
      return ep;
    },
  },
  { method: 'GET', path: '/webhook_endpoints/:id', handler: (ctx, { path }) => withoutSecret(endpoint(ctx, path['id']!)) },
  {
    method: 'POST',
    path: '/webhook_endpoints/:id',
    handler: (ctx, { path, params }) => {
      const ep = endpoint(ctx, path['id']!);
      const url = params.str('url');
      if (url) ep.url = parseUrl(url, 'url');
      const enabledEvents = params.strList('enabled_events');
      if (enabledEvents.length > 0) ep.enabled_events = enabledEvents;
      const disabled = params.bool('disabled');
      if (disabled !== undefined) ep.status = disabled ? 'disabled' : 'enabled';
      if (params.has('description')) ep.description = params.str('description') || null;
      ep.metadata = mergeMetadata(ep.metadata, params.metadata());
      return withoutSecret(ep);
    },
  },
  {
    method: 'DELETE',
    path: '/webhook_endpoints/:id',
    handler: (ctx, { path }) => {
      const ep = endpoint(ctx, path['id']!);
      ctx.store.webhookEndpoints.delete(ep.id);
      return { id: ep.id, object: 'webhook_endpoint', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/webhook_endpoints',
    handler: (ctx, { params }) => paginate(newestFirst(ctx.store.webhookEndpoints.values()).map(withoutSecret), params, '/v1/webhook_endpoints'),
  },
];
