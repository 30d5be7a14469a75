import type { CatalogMetric } from '../plans/plan-catalog.types.js';
import { BillingIntervalModel, type PlanModel } from '../plans/plan.model.js';
import { BILLING_PAGE_SCRIPT_PATH, BILLING_PAGE_STYLE_PATH } from './billing-page-assets.constant.js';
import { escapeHtml } from './escape-html.util.js';

/** Where `GET /billing/checkout/return` sends the browser back, as `?checkout=<outcome>`. */
export const CHECKOUT_OUTCOMES = ['success', 'pending', 'cancel', 'error'] as const;
export type CheckoutOutcome = (typeof CHECKOUT_OUTCOMES)[number];

const CHECKOUT_BANNERS: Record<CheckoutOutcome, string> = {
  success: 'Payment received: your new plan is active.',
  pending: 'Your payment is still processing: the plan changes as soon as Stripe confirms it.',
  cancel: 'Checkout was cancelled: nothing was charged.',
  error: 'That checkout could not be confirmed. If you paid, the plan changes as soon as Stripe tells us.',
};

export interface BillingPageView {
  plans: PlanModel[];
  metrics: CatalogMetric[];
  /** The raw `checkout` query value; only the known outcomes show a banner. */
  checkout: unknown;
}

/** Only a known outcome counts: the query string is never echoed into the page. */
export function parseCheckoutOutcome(value: unknown): CheckoutOutcome | null {
  return typeof value === 'string' && (CHECKOUT_OUTCOMES as readonly string[]).includes(value)
    ? (value as CheckoutOutcome)
    : null;
}

/** A price in the currency's minor unit, shown the way the currency is written (zero-decimal ones too). */
export function formatMinorAmount(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** Paid plans with a monthly Stripe price can be bought from the page (the tour sells monthly only). */
export function isPurchasableMonthly(plan: PlanModel): boolean {
  return !plan.isFree && plan.prices.some((price) => price.interval === BillingIntervalModel.MONTHLY && price.stripePriceId !== null);
}

function renderPlan(plan: PlanModel): string {
  const monthly = plan.prices.find((price) => price.interval === BillingIntervalModel.MONTHLY);
  const price = plan.isFree || !monthly ? 'Free' : `${formatMinorAmount(monthly.amountCents, monthly.currency)} / month`;
  const limits = plan.limits
    .map((limit) => `<li>${escapeHtml(limit.name)}: ${limit.unlimited ? 'unlimited' : escapeHtml(limit.limit)}</li>`)
    .join('');
  const action = isPurchasableMonthly(plan)
    ? `<button type="button" class="upgrade" data-plan-key="${escapeHtml(plan.key)}">Upgrade to ${escapeHtml(plan.name)}</button>`
    : plan.isFree
      ? ''
      : '<p class="hint">Not on sale: no monthly Stripe price is configured.</p>';
  return `<li class="plan" data-plan-key="${escapeHtml(plan.key)}">
<h3>${escapeHtml(plan.name)}</h3>
<p class="price">${escapeHtml(price)}</p>
${plan.description ? `<p>${escapeHtml(plan.description)}</p>` : ''}
<ul class="limits">${limits}</ul>
${action}
</li>`;
}

function renderMetric(metric: CatalogMetric): string {
  return `<li data-metric="${escapeHtml(metric.key)}">
<span class="metric-name">${escapeHtml(metric.name)}</span>
<progress max="1" value="0" hidden></progress>
<span class="metric-numbers">-</span>
</li>`;
}

/**
 * The tour's billing page. The server renders what needs no token (the catalog, the checkout
 * banner); the served script fills in the caller's plan, usage and warnings from `/graphql`
 * with the token kept in sessionStorage, so the token never travels in a URL or a cookie.
 */
export function renderBillingPage(view: BillingPageView): string {
  const outcome = parseCheckoutOutcome(view.checkout);
  const banner = outcome
    ? `<p id="checkout-banner" class="banner ${outcome}" data-outcome="${outcome}" role="status">${escapeHtml(CHECKOUT_BANNERS[outcome])}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Billing</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BILLING_PAGE_STYLE_PATH}">
<script src="${BILLING_PAGE_SCRIPT_PATH}" defer></script>
</head>
<body>
<h1>Billing</h1>
${banner}
<section id="token-section">
<h2>Your token</h2>
<label for="token">Owner token (JWT)</label>
<input id="token" type="password" autocomplete="off" spellcheck="false">
<button type="button" id="save-token">Use token</button>
<button type="button" id="forget-token" class="secondary">Forget token</button>
<p class="hint" id="token-state">No token yet. Mint one with <code>npm run cli -- token --business acme --role owner --email owner@acme.test</code>
and paste it here. It stays in this tab's sessionStorage and is sent only as <code>Authorization: Bearer</code> to <code>/graphql</code>.</p>
</section>
<section id="account">
<h2>Current plan</h2>
<p>Plan: <strong id="plan-name">-</strong> <span id="plan-source" class="hint"></span></p>
<ul id="usage">${view.metrics.map(renderMetric).join('')}</ul>
<ul id="warnings"></ul>
</section>
<p id="status" role="status" aria-live="polite"></p>
<section id="plans">
<h2>Plans</h2>
<ul class="plans">${view.plans.map(renderPlan).join('')}</ul>
</section>
</body>
</html>
`;
}
