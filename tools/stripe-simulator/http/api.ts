import express, { type Request, type Response, type Router } from 'express';
import type { SimContext } from '../core/context.js';
import { API_VERSION } from '../core/constants.js';
import { StripeApiError, authenticationError, invalidRequest } from '../core/errors.js';
import { parseForm } from '../core/form.js';
import { newId } from '../core/ids.js';
import { Params } from '../core/params.js';
import { applyExpand } from './expand.js';
import { IdempotencyCache } from './idempotency.js';

export interface ApiRequest {
  params: Params;
  path: Record<string, string>;
}

/** A handler runs synchronously against the state, so no other request interleaves with it. */
export type Handler = (ctx: SimContext, req: ApiRequest) => unknown;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handler: Handler;
}

function apiKeyOf(req: Request): string | null {
  const auth = req.header('authorization');
  if (!auth) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(auth);
  if (bearer) return bearer[1]!.trim();
  const basic = /^Basic\s+(.+)$/i.exec(auth);
  // `curl -u sk_test_x:` sends the key as the basic-auth user name.
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] ?? null;
  return null;
}

function checkKey(req: Request): void {
  const key = apiKeyOf(req);
  if (!key) {
    throw authenticationError(
      'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').',
    );
  }
  // Any test key works; a live key is refused so that a misconfigured app cannot mistake the simulator for Stripe.
  if (!/^(sk|rk)_test_/.test(key)) throw authenticationError(`Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`);
}

function send(res: Response, status: number, body: string): void {
  res.status(status).type('application/json').send(body);
}

export function apiRouter(ctx: SimContext, routes: Route[], idempotency: IdempotencyCache): Router {
  const router = express.Router();
  router.use(express.text({ type: () => true, limit: '2mb' }));
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'delete';
    router[method](route.path, (req: Request, res: Response) => {
      const requestId = newId('req', 14);
      res.setHeader('request-id', requestId);
      res.setHeader('stripe-version', req.header('stripe-version') ?? API_VERSION);
      const key = route.method === 'POST' ? (req.header('idempotency-key') ?? null) : null;
      if (key) res.setHeader('idempotency-key', key);
      try {
        checkKey(req);
        const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
        const body = typeof req.body === 'string' ? req.body : '';
        const raw = { ...parseForm(query), ...(route.method === 'POST' ? parseForm(body) : {}) };
        const fingerprint = IdempotencyCache.fingerprint(route.method, req.path, raw);
        if (key) {
          const stored = idempotency.lookup(key, fingerprint, ctx.now());
          if (stored) {
            res.setHeader('idempotent-replayed', 'true');
            send(res, stored.status, stored.body);
            return;
          }
        }
        const params = new Params(raw);
        const pathParams = Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)]));
        let status = 200;
        let json: string;
        try {
          ctx.engine.catchUp();
          ctx.events.currentRequest = { id: requestId, idempotencyKey: key };
          const result = structuredClone(route.handler(ctx, { params, path: pathParams }));
          ctx.engine.catchUp();
          applyExpand(ctx, result, params.strList('expand'));
          json = JSON.stringify(result, null, 2);
        } catch (err) {
          if (!(err instanceof StripeApiError)) throw err;
          status = err.status;
          json = JSON.stringify(err.toJSON(), null, 2);
        } finally {
          ctx.events.currentRequest = null;
        }
        if (key) idempotency.save(key, fingerprint, status, json, ctx.now());
        send(res, status, json);
      } catch (err) {
        if (err instanceof StripeApiError) {
          send(res, err.status, JSON.stringify(err.toJSON()));
          return;
        }
        ctx.log(`internal error on ${req.method} ${req.originalUrl}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        res.setHeader('stripe-should-retry', 'false');
        send(res, 500, JSON.stringify({ error: { type: 'api_error', message: `Simulator internal error: ${err instanceof Error ? err.message : String(err)}` } }));
      }
    });
  }
  router.use((req: Request, res: Response) => {
    try {
      checkKey(req);
      const err = invalidRequest(`Unrecognized request URL (${req.method}: ${req.baseUrl}${req.path}). The Stripe simulator does not implement this endpoint; see tools/stripe-simulator/README.md.`);
      send(res, 404, JSON.stringify(err.toJSON()));
    } catch (err) {
      const e = err as StripeApiError;
      send(res, e.status, JSON.stringify(e.toJSON()));
    }
  });
  return router;
}
