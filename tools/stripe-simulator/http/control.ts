import express, { type Request, type Response, type Router } from 'express';
import type { SimContext } from '../core/context.js';
import { StripeApiError, invalidRequest } from '../core/errors.js';
import { completeCheckout } from '../billing/checkout.js';
import type { ChaosOptions } from '../core/delivery.js';
import type { FinalDunningAction } from '../billing/dunning.js';

export interface ControlHooks {
  reset(): void;
}

type Body = Record<string, unknown>;

function bodyOf(req: Request): Body {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Body) : {};
}

function handle(ctx: SimContext, fn: (req: Request) => unknown | Promise<unknown>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const result = await fn(req);
      res.json(result);
    } catch (err) {
      if (err instanceof StripeApiError) {
        res.status(err.status).json(err.toJSON());
        return;
      }
      ctx.log(`control route ${req.method} ${req.originalUrl} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      res.status(500).json({ error: { type: 'api_error', message: err instanceof Error ? err.message : String(err) } });
    }
  };
}

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidRequest(`${name} must be a non-negative number.`, name);
  return value;
}

/** Test-only routes under `/_sim` that stand in for the customer, the card network and time. */
export function controlRouter(ctx: SimContext, hooks: ControlHooks): Router {
  const router = express.Router();
  router.use(express.json());

  router.post(
    '/checkout_sessions/:id/complete',
    handle(ctx, (req) => {
      const outcome = bodyOf(req)['outcome'] ?? 'paid';
      if (outcome !== 'paid' && outcome !== 'declined') throw invalidRequest('outcome must be "paid" or "declined".', 'outcome');
      const id = String(req.params['id']);
      const record = ctx.store.checkoutSessions.get(id);
      if (!record) throw invalidRequest(`No such checkout.session: '${id}'`, 'id', 'resource_missing');
      ctx.engine.catchUp();
      const session = completeCheckout(ctx, record, outcome);
      const subscription = record.attempt?.subscription ?? (typeof session.subscription === 'string' ? session.subscription : null);
      const sub = subscription ? ctx.store.subscriptions.get(subscription)?.sub : undefined;
      return {
        ...session,
        simulator: {
          outcome,
          customer: record.attempt?.customer ?? session.customer,
          subscription,
          invoice: typeof sub?.latest_invoice === 'string' ? sub.latest_invoice : null,
          subscription_status: sub?.status ?? null,
        },
      };
    }),
  );

  router.get('/clock', handle(ctx, () => ({ now: ctx.now(), offset_seconds: ctx.clock.offsetSeconds() })));

  router.post(
    '/clock/advance',
    handle(ctx, (req) => {
      const body = bodyOf(req);
      const target = body['to'] !== undefined ? nonNegativeNumber(body['to'], 'to') : ctx.now() + nonNegativeNumber(body['seconds'], 'seconds');
      ctx.engine.advanceTo(Math.floor(target));
      return { now: ctx.now(), offset_seconds: ctx.clock.offsetSeconds() };
    }),
  );

  router.post(
    '/customers/:id/payment_behavior',
    handle(ctx, (req) => {
      const behavior = bodyOf(req)['behavior'];
      if (behavior !== 'succeed' && behavior !== 'fail') throw invalidRequest('behavior must be "succeed" or "fail".', 'behavior');
      const customer = ctx.customer(String(req.params['id']), 'id');
      ctx.store.paymentBehavior.set(customer.id, behavior);
      return { customer: customer.id, behavior };
    }),
  );

  router.post(
    '/delivery',
    handle(ctx, (req) => {
      const body = bodyOf(req);
      const next: ChaosOptions = { ...ctx.delivery.chaos };
      if (body['enabled'] !== undefined) next.enabled = body['enabled'] === true;
      if (body['duplicate'] !== undefined) next.duplicate = Math.floor(nonNegativeNumber(body['duplicate'], 'duplicate'));
      if (body['shuffle'] !== undefined) next.shuffle = body['shuffle'] === true;
      if (body['delayMs'] !== undefined) next.delayMs = nonNegativeNumber(body['delayMs'], 'delayMs');
      if (body['failFirstAttempt'] !== undefined) next.failFirstAttempt = body['failFirstAttempt'] === true;
      ctx.delivery.chaos = next;
      return next;
    }),
  );

  router.get(
    '/deliveries',
    handle(ctx, (req) => {
      const event = typeof req.query['event'] === 'string' ? req.query['event'] : undefined;
      const type = typeof req.query['type'] === 'string' ? req.query['type'] : undefined;
      const data = ctx.delivery.attempts.filter((a) => (!event || a.eventId === event) && (!type || a.type === type));
      return { object: 'list', data };
    }),
  );

  router.get(
    '/idle',
    handle(ctx, async () => {
      await ctx.delivery.idle();
      return { idle: true };
    }),
  );

  router.post(
    '/settings',
    handle(ctx, (req) => {
      const body = bodyOf(req);
      const action = body['finalDunningAction'];
      if (action !== undefined) {
        if (action !== 'cancel' && action !== 'mark_unpaid' && action !== 'leave_past_due') {
          throw invalidRequest('finalDunningAction must be "cancel", "mark_unpaid" or "leave_past_due".', 'finalDunningAction');
        }
        ctx.billing.finalDunningAction = action as FinalDunningAction;
      }
      const retryDays = body['retryDays'];
      if (retryDays !== undefined) {
        if (!Array.isArray(retryDays) || retryDays.some((d) => typeof d !== 'number' || d <= 0)) throw invalidRequest('retryDays must be an array of positive numbers.', 'retryDays');
        ctx.billing.retryDays = retryDays as number[];
      }
      return ctx.billing;
    }),
  );

  router.post(
    '/reset',
    handle(ctx, () => {
      hooks.reset();
      return { reset: true };
    }),
  );

  return router;
}
