import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import type { CheckoutRecord } from '../core/store.js';
import { invalidRequest } from '../core/errors.js';
import { buildCustomer, buildSetupIntent } from '../objects/catalog.js';

export type CheckoutOutcome = 'paid' | 'declined';

function customerFor(ctx: SimContext, record: CheckoutRecord): Stripe.Customer {
  const session = record.session;
  const existing = typeof session.customer === 'string' ? session.customer : (record.attempt?.customer ?? null);
  if (existing) return ctx.customer(existing);
  const customer = buildCustomer({ now: ctx.now(), email: session.customer_email, name: null, description: null, phone: null, metadata: {} });
  ctx.store.customers.set(customer.id, customer);
  ctx.events.emit('customer.created', customer);
  record.attempt = { customer: customer.id, subscription: null };
  return customer;
}

/**
 * What Stripe's hosted page does when the customer presses Pay (or the card is declined).
 * Paid: customer + card + subscription (`active`, or `trialing` with a trial) + invoice, then
 * `checkout.session.completed`. Declined: the subscription is created `incomplete` with a failed
 * invoice and the session stays open, so a later Pay completes it; a trial session that is
 * declined only records a failed SetupIntent.
 */
export function completeCheckout(ctx: SimContext, record: CheckoutRecord, outcome: CheckoutOutcome): Stripe.Checkout.Session {
  const session = record.session;
  if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status ?? 'not open'} and can no longer be paid.`);
  const engine = ctx.engine;
  const now = ctx.now();
  const data = record.subscriptionData;
  const trialEnd = data.trialEnd ?? (data.trialPeriodDays ? now + data.trialPeriodDays * 86_400 : null);
  const customer = customerFor(ctx, record);
  const state = record.attempt ?? { customer: customer.id, subscription: null };
  record.attempt = state;

  if (outcome === 'declined') {
    if (trialEnd !== null) {
      const si = buildSetupIntent({ now, customer: customer.id, paymentMethod: null, succeeded: false });
      ctx.store.setupIntents.set(si.id, si);
      ctx.events.emit('setup_intent.setup_failed', si);
      return session;
    }
    if (!state.subscription) {
      const rec = engine.createSubscription({
        customer,
        items: record.lineItems.map((li) => ({ price: li.price as Stripe.Price, quantity: li.quantity ?? 1 })),
        metadata: { ...data.metadata },
        description: data.description,
        trialEnd: null,
        defaultPaymentMethod: null,
        paymentBehavior: 'allow_incomplete',
        forcedOutcome: false,
      });
      state.subscription = rec.sub.id;
    } else {
      const rec = ctx.store.subscriptions.get(state.subscription);
      const invoice = rec && typeof rec.sub.latest_invoice === 'string' ? ctx.store.invoices.get(rec.sub.latest_invoice) : undefined;
      if (invoice && invoice.status === 'open') engine.collect(invoice, false);
    }
    return session;
  }

  let setupIntent: Stripe.SetupIntent | null = null;
  const pm = engine.attachCard(customer);
  if (trialEnd !== null) {
    setupIntent = buildSetupIntent({ now, customer: customer.id, paymentMethod: pm.id, succeeded: true });
    ctx.store.setupIntents.set(setupIntent.id, setupIntent);
    ctx.events.emit('setup_intent.succeeded', setupIntent);
  }
  let subscriptionId = state.subscription;
  const earlier = subscriptionId ? ctx.store.subscriptions.get(subscriptionId) : undefined;
  if (earlier && earlier.sub.status === 'incomplete') {
    engine.mutate(earlier, (s) => void (s.default_payment_method = pm.id));
    const invoice = typeof earlier.sub.latest_invoice === 'string' ? ctx.store.invoices.get(earlier.sub.latest_invoice) : undefined;
    if (invoice && invoice.status === 'open') engine.collect(invoice, true);
  } else {
    const rec = engine.createSubscription({
      at: now,
      customer,
      items: record.lineItems.map((li) => ({ price: li.price as Stripe.Price, quantity: li.quantity ?? 1 })),
      metadata: { ...data.metadata },
      description: data.description,
      trialEnd,
      defaultPaymentMethod: pm.id,
      paymentBehavior: 'allow_incomplete',
      forcedOutcome: true,
    });
    subscriptionId = rec.sub.id;
  }
  const rec = ctx.store.subscriptions.get(subscriptionId as string)!;
  session.status = 'complete';
  session.payment_status = trialEnd !== null ? 'no_payment_required' : 'paid';
  if (trialEnd !== null) {
    session.amount_total = 0;
    session.amount_subtotal = 0;
  }
  session.customer = customer.id;
  session.subscription = rec.sub.id;
  session.invoice = typeof rec.sub.latest_invoice === 'string' ? rec.sub.latest_invoice : null;
  session.setup_intent = setupIntent?.id ?? null;
  session.url = null;
  session.customer_details = {
    address: null,
    business_name: null,
    email: customer.email,
    individual_name: null,
    name: customer.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  ctx.events.emit('checkout.session.completed', session);
  return session;
}
