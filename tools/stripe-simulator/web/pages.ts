import express, { type Request, type Response, type Router } from 'express';
import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import { StripeApiError } from '../core/errors.js';
import { completeCheckout } from '../billing/checkout.js';
import { updateSubscription } from '../billing/update.js';
import { formatDate, formatMoney } from '../billing/format.js';
import { esc, page } from './html.js';

function fail(res: Response, status: number, message: string): void {
  res.status(status).type('html').send(page('Stripe simulator', `<h1>Sorry</h1><p>${esc(message)}</p>`));
}

/** Runs a state change the way the API layer does: due work first, errors shown as a page. */
function act(ctx: SimContext, res: Response, fn: () => void): boolean {
  try {
    ctx.engine.catchUp();
    fn();
    return true;
  } catch (err) {
    if (err instanceof StripeApiError) {
      fail(res, err.status, err.message);
      return false;
    }
    throw err;
  }
}

function checkoutPage(ctx: SimContext, session: Stripe.Checkout.Session, lineItems: Stripe.LineItem[], trialDays: number | null): string {
  const rows = lineItems
    .map((li) => `<tr><td>${esc(li.description ?? '')}</td><td>${li.quantity ?? 1}</td><td>${esc(formatMoney(li.amount_total, li.currency))} / ${esc(li.price?.recurring?.interval ?? '')}</td></tr>`)
    .join('');
  const email = session.customer_email ?? (typeof session.customer === 'string' ? ctx.store.customers.get(session.customer)?.email : null) ?? '';
  const trial = trialDays ? `<p>Free trial: ${trialDays} days, then billed automatically.</p>` : '';
  const body =
    session.status === 'open'
      ? `<form method="post" action="/checkout/${esc(session.id)}/pay"><button type="submit">Pay</button></form>
         <form method="post" action="/checkout/${esc(session.id)}/decline"><button class="danger" type="submit">Decline card</button></form>`
      : `<p>This session is <strong>${esc(session.status ?? '')}</strong>.</p>`;
  return page(
    'Checkout',
    `<h1>Subscribe</h1><p>${esc(email)}</p><table><tr><th>Item</th><th>Qty</th><th>Price</th></tr>${rows}</table>${trial}${body}`,
  );
}

function successUrl(session: Stripe.Checkout.Session): string | null {
  return session.success_url ? session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) : null;
}

function portalPage(ctx: SimContext, portal: Stripe.BillingPortal.Session, notice: string | null): string {
  const subs = [...ctx.store.subscriptions.values()].map((r) => r.sub).filter((s) => s.customer === portal.customer && s.status !== 'canceled' && s.status !== 'incomplete_expired');
  const prices = [...ctx.store.prices.values()].filter((p) => p.active && p.recurring);
  const blocks = subs
    .map((sub) => {
      const item = sub.items.data[0]!;
      const end = ctx.engine.periodEndOf(sub);
      const base = `/portal/${esc(portal.id)}/subscriptions/${esc(sub.id)}`;
      const options = prices
        .filter((p) => p.currency === sub.currency && p.id !== item.price.id)
        .map((p) => `<option value="${esc(p.id)}">${esc(ctx.productName(p))} (${esc(formatMoney(p.unit_amount ?? 0, p.currency))} / ${esc(p.recurring?.interval ?? '')})</option>`)
        .join('');
      const cancelOrResume = sub.cancel_at_period_end || sub.cancel_at !== null
        ? `<p>Cancels on ${esc(formatDate(sub.cancel_at ?? end))}.</p><form method="post" action="${base}/resume"><button type="submit">Resume subscription</button></form>`
        : `<form method="post" action="${base}/cancel"><button class="danger" type="submit">Cancel at period end</button></form>`;
      const switcher = options
        ? `<form method="post" action="${base}/switch"><select name="price">${options}</select> <button class="secondary" type="submit">Switch plan</button></form>`
        : '';
      return `<section><h2>${esc(ctx.productName(item.price))}</h2>
        <p>Status: <strong>${esc(sub.status)}</strong> · ${esc(formatMoney(item.price.unit_amount ?? 0, sub.currency))} / ${esc(item.price.recurring?.interval ?? '')} · current period ends ${esc(formatDate(end))}</p>
        ${cancelOrResume}${switcher}</section>`;
    })
    .join('');
  const back = portal.return_url ? `<p><a href="${esc(portal.return_url)}">Return to the app</a></p>` : '';
  return page('Billing portal', `<h1>Your subscriptions</h1>${notice ? `<p><em>${esc(notice)}</em></p>` : ''}${blocks || '<p>No subscriptions.</p>'}${back}`);
}

/** The pages behind Checkout's and the customer portal's `url`s, for trying flows in a browser. */
export function pagesRouter(ctx: SimContext): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false }));

  router.get('/checkout/:id', (req: Request, res: Response) => {
    ctx.engine.catchUp();
    const record = ctx.store.checkoutSessions.get(String(req.params['id']));
    if (!record) return fail(res, 404, 'No such Checkout Session.');
    res.type('html').send(checkoutPage(ctx, record.session, record.lineItems, record.subscriptionData.trialPeriodDays));
  });

  for (const outcome of ['pay', 'decline'] as const) {
    router.post(`/checkout/:id/${outcome}`, (req: Request, res: Response) => {
      const record = ctx.store.checkoutSessions.get(String(req.params['id']));
      if (!record) return fail(res, 404, 'No such Checkout Session.');
      if (!act(ctx, res, () => completeCheckout(ctx, record, outcome === 'pay' ? 'paid' : 'declined'))) return;
      const target = outcome === 'pay' ? successUrl(record.session) : record.session.cancel_url;
      if (target) return res.redirect(303, target);
      res.type('html').send(page('Checkout', `<h1>${outcome === 'pay' ? 'Thanks, you are subscribed.' : 'Your card was declined.'}</h1>`));
    });
  }

  router.get('/portal/:id', (req: Request, res: Response) => {
    ctx.engine.catchUp();
    const portal = ctx.store.portalSessions.get(String(req.params['id']));
    if (!portal) return fail(res, 404, 'No such portal session.');
    res.type('html').send(portalPage(ctx, portal, typeof req.query['notice'] === 'string' ? req.query['notice'] : null));
  });

  router.post('/portal/:id/subscriptions/:sub/:action', (req: Request, res: Response) => {
    const portal = ctx.store.portalSessions.get(String(req.params['id']));
    const rec = ctx.store.subscriptions.get(String(req.params['sub']));
    if (!portal || !rec || rec.sub.customer !== portal.customer) return fail(res, 404, 'No such subscription.');
    const action = String(req.params['action']);
    let notice = '';
    const done = act(ctx, res, () => {
      if (action === 'cancel') {
        updateSubscription(ctx, rec, { cancelAtPeriodEnd: true, prorationBehavior: 'none', paymentBehavior: 'allow_incomplete' });
        notice = 'Your subscription will end at the end of the period.';
      } else if (action === 'resume') {
        // Undoes either kind of cancellation (the flag, or a date).
        updateSubscription(ctx, rec, { cancelAt: null, prorationBehavior: 'none', paymentBehavior: 'allow_incomplete' });
        notice = 'Your subscription will continue.';
      } else if (action === 'switch') {
        const body = req.body as Record<string, unknown> | undefined;
        const price = ctx.price(String(body?.['price'] ?? ''));
        const item = rec.sub.items.data[0]!;
        // Like a portal configured to prorate: the difference lands on the next invoice.
        updateSubscription(ctx, rec, { items: [{ id: item.id, price }], prorationBehavior: 'create_prorations', paymentBehavior: 'allow_incomplete' });
        notice = `Switched to ${ctx.productName(price)}.`;
      } else {
        throw new StripeApiError(404, { type: 'invalid_request_error', message: `Unknown portal action ${action}.` });
      }
    });
    if (done) res.redirect(303, `/portal/${encodeURIComponent(portal.id)}?notice=${encodeURIComponent(notice)}`);
  });

  router.get('/invoices/:id', (req: Request, res: Response) => {
    const invoice = ctx.store.invoices.get(String(req.params['id']));
    if (!invoice) return fail(res, 404, 'No such invoice.');
    const rows = invoice.lines.data.map((l) => `<tr><td>${esc(l.description ?? '')}</td><td>${esc(formatMoney(l.amount, l.currency))}</td></tr>`).join('');
    res.type('html').send(page(`Invoice ${invoice.number ?? invoice.id}`, `<h1>Invoice ${esc(invoice.number ?? invoice.id)}</h1><p>Status: ${esc(invoice.status ?? '')}</p><table>${rows}</table><p>Total: ${esc(formatMoney(invoice.total, invoice.currency))}; amount due: ${esc(formatMoney(invoice.amount_due, invoice.currency))}</p>`));
  });

  return router;
}
