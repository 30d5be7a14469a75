/** Served under the page's own path, so the CSP can say `script-src 'self'` without nonces. */
export const BILLING_PAGE_SCRIPT_PATH = '/billing/assets/billing-page.js';
export const BILLING_PAGE_STYLE_PATH = '/billing/assets/billing-page.css';

/**
 * No inline script or style may run, the page talks to its own origin only, cannot be framed,
 * and has no forms that could post anywhere. Checkout is reached by navigation (not limited by
 * CSP), to the URL Stripe (or the simulator) returned.
 */
export const BILLING_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  // data: only for the empty favicon, which spares a /favicon.ico request that would 404.
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page's script, as written: plain browser JavaScript, no framework and no build step. It
 * writes only through textContent and properties, never innerHTML, so nothing the API returns is
 * parsed as markup.
 */
export const BILLING_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  const TOKEN_KEY = 'billingPage.token';
  const BILLING_QUERY = 'query BillingPage { billing { plan { key name } planSource usage { metric used limit remaining } warnings { code message until } } }';
  const CHECKOUT_MUTATION = 'mutation BillingPageCheckout($planKey: String!) { createCheckoutSession(input: { planKey: $planKey, interval: MONTHLY }) { id url } }';
  const byId = (id) => document.getElementById(id);
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function setStatus(text, isError) {
    const status = byId('status');
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function describe(error) {
    const hint = error.code === 'UNAUTHENTICATED' ? ' Paste a fresh token.' : '';
    return (error.code ? error.code + ': ' : '') + error.message + hint;
  }

  async function graphql(query, variables) {
    const response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token() },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json().catch(() => ({}));
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const first = body.errors[0];
      const error = new Error(String(first.message));
      error.code = first.extensions && first.extensions.code;
      throw error;
    }
    if (!body.data) throw new Error('The API answered HTTP ' + response.status);
    return body.data;
  }

  function showTokenState() {
    byId('token-state').textContent = token()
      ? 'A token is set for this tab (kept in sessionStorage, sent only as Authorization: Bearer).'
      : 'No token yet: paste an owner token (npm run cli -- token --business acme --role owner).';
  }

  function clearAccount() {
    const name = byId('plan-name');
    name.textContent = '-';
    delete name.dataset.planKey;
    byId('plan-source').textContent = '';
    byId('warnings').replaceChildren();
    for (const row of byId('usage').children) {
      row.querySelector('progress').hidden = true;
      row.querySelector('.metric-numbers').textContent = '-';
      row.classList.remove('over');
    }
    for (const button of document.querySelectorAll('button.upgrade')) button.disabled = false;
  }

  function showUsage(usage) {
    for (const row of byId('usage').children) {
      const item = usage.find((u) => u.metric === row.dataset.metric);
      if (!item) continue;
      const bar = row.querySelector('progress');
      const numbers = row.querySelector('.metric-numbers');
      if (item.limit === -1) {
        bar.hidden = true;
        numbers.textContent = item.used + ' used, unlimited';
      } else {
        bar.hidden = false;
        bar.max = Math.max(item.limit, 1);
        bar.value = Math.min(item.used, bar.max);
        numbers.textContent = item.used + ' of ' + item.limit + ' used, ' + Math.max(item.remaining, 0) + ' left';
      }
      row.classList.toggle('over', item.limit !== -1 && item.used > item.limit);
    }
  }

  function showWarnings(warnings) {
    byId('warnings').replaceChildren(
      ...warnings.map((warning) => {
        const item = document.createElement('li');
        item.dataset.code = warning.code;
        const until = warning.until ? ' (until ' + new Date(warning.until).toLocaleString() + ')' : '';
        item.textContent = warning.message + until;
        return item;
      }),
    );
  }

  async function loadBilling() {
    if (!token()) return;
    setStatus('Loading your plan...');
    try {
      const { billing } = await graphql(BILLING_QUERY);
      const name = byId('plan-name');
      name.textContent = billing.plan.name;
      name.dataset.planKey = billing.plan.key;
      byId('plan-source').textContent = '(' + billing.planSource + ')';
      showUsage(billing.usage);
      showWarnings(billing.warnings);
      for (const button of document.querySelectorAll('button.upgrade')) {
        button.disabled = button.dataset.planKey === billing.plan.key;
      }
      setStatus('');
    } catch (error) {
      setStatus(describe(error), true);
    }
  }

  async function upgrade(button) {
    if (!token()) {
      setStatus('Paste an owner token first.', true);
      byId('token').focus();
      return;
    }
    button.disabled = true;
    setStatus('Opening Checkout...');
    try {
      const { createCheckoutSession } = await graphql(CHECKOUT_MUTATION, { planKey: button.dataset.planKey });
      const target = new URL(createCheckoutSession.url, location.href);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('Checkout returned an unexpected URL');
      location.assign(target.href);
    } catch (error) {
      button.disabled = false;
      setStatus(describe(error), true);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    byId('save-token').addEventListener('click', () => {
      const input = byId('token');
      const value = input.value.trim().replace(/^Bearer\s+/i, '');
      input.value = '';
      if (!value) return setStatus('Paste a token first.', true);
      sessionStorage.setItem(TOKEN_KEY, value);
      showTokenState();
      void loadBilling();
    });
    byId('forget-token').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showTokenState();
      clearAccount();
      setStatus('Token forgotten.');
    });
    for (const button of document.querySelectorAll('button.upgrade')) {
      button.addEventListener('click', () => void upgrade(button));
    }
    // The banner has been shown; a reload should not show it again.
    if (new URLSearchParams(location.search).has('checkout')) history.replaceState(null, '', location.pathname);
    showTokenState();
    void loadBilling();
  });
})();
`;

export const BILLING_PAGE_STYLE = `body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1a1f36; }
h1 { margin-bottom: .5rem; }
section { margin: 1.5rem 0; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; margin-bottom: .5rem; }
button { font-size: 1rem; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #635bff; background: #635bff; color: white; cursor: pointer; }
button.secondary { background: white; color: #635bff; }
button:disabled { opacity: .5; cursor: default; }
.hint { color: #697386; font-size: .9rem; }
.banner { padding: .6rem .8rem; border-radius: 6px; border: 1px solid #d0d5dd; }
.banner.success { background: #e8f7ee; border-color: #3ecf8e; }
.banner.pending { background: #fff4d6; border-color: #f5c518; }
.banner.cancel, .banner.error, #status.error { background: #fdecef; border-color: #df1b41; }
#status.error { padding: .6rem .8rem; border-radius: 6px; border: 1px solid #df1b41; }
#usage, #warnings, .plans, .limits { padding-left: 0; list-style: none; }
#usage li { display: grid; grid-template-columns: 16rem 1fr 12rem; gap: .5rem; align-items: center; margin: .3rem 0; }
#usage li.over .metric-numbers { color: #df1b41; font-weight: 600; }
progress { width: 100%; }
#warnings li { background: #fff4d6; border-left: 4px solid #f5c518; padding: .4rem .6rem; margin: .3rem 0; }
.plans { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 1rem; }
.plan { border: 1px solid #e3e8ee; border-radius: 8px; padding: .8rem; }
.plan h3 { margin: 0 0 .25rem; }
.price { font-weight: 600; }
`;
