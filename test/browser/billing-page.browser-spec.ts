import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { BILLING_PAGE_CSP } from '../../src/billing-page/billing-page-assets.constant.js';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import { PlansService } from '../../src/plans/plans.service.js';
import { StripeCatalogService } from '../../src/stripe/stripe-catalog.service.js';
import { startStripeSimulator, type StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';
import { type Chromium, launchChromium } from './chromium.js';

const TOUR_WEBHOOK_SECRET = 'whsec_browser_tour';

/**
 * Script and console errors (a CSP violation is one) of our origin, which the test expects none
 * of. The simulator's Checkout page is not ours (it has no favicon, for one).
 */
function collectErrors(page: Page, origin: string): string[] {
  const errors: string[] = [];
  const ours = (url: string) => url.startsWith(`${origin}/`);
  page.on('pageerror', (error) => {
    if (ours(page.url())) errors.push(error.message);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && ours(message.location().url || page.url())) {
      errors.push(`${message.text()} (${message.location().url})`);
    }
  });
  return errors;
}

/** Waits until the page shows a plan or an error, and names the error rather than timing out. */
async function shownPlan(page: Page, key: string): Promise<string | null> {
  await page.locator(`#plan-name[data-plan-key="${key}"], #status.error`).first().waitFor();
  const status = await page.locator('#status.error').count();
  if (status > 0) throw new Error(`the page shows an error: ${await page.textContent('#status')}`);
  return page.textContent('#plan-name');
}

/** Clicks Upgrade and waits for the Checkout page, or names the error the page shows instead. */
async function upgradeTo(page: Page, key: string, checkoutUrlPrefix: string): Promise<void> {
  await page.click(`button.upgrade[data-plan-key="${key}"]`);
  const failed = await Promise.race([
    page.waitForURL((url) => url.href.startsWith(checkoutUrlPrefix)).then(() => null),
    page.locator('#status.error').waitFor().then(() => page.textContent('#status')),
  ]);
  if (failed !== null) throw new Error(`Upgrade did not open Checkout: ${failed}`);
}

describe('billing page in headless Chromium', () => {
  let browser: Chromium;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe("the tour on npm start's defaults", () => {
    let sim: StripeSimulator;
    let app: TestApp;
    let base: string;

    beforeAll(async () => {
      // As npm start with nothing configured (src/main.ts): development, the in-process simulator
      // delivering webhooks to the service, and the catalog's prices created there by lookup key.
      const port = await findFreePort(20_000 + Math.floor(Math.random() * 20_000));
      sim = await startStripeSimulator({
        port: 0,
        webhookUrl: `http://127.0.0.1:${port}/api/webhooks/stripe`,
        webhookSecret: TOUR_WEBHOOK_SECRET,
      });
      app = await createTestApp({
        env: {
          NODE_ENV: 'development',
          PORT: String(port),
          STRIPE_SECRET_KEY: 'sk_test_local_simulator',
          STRIPE_API_BASE: sim.url,
          STRIPE_WEBHOOK_SECRET: TOUR_WEBHOOK_SECRET,
        },
        listenPort: port,
      });
      const prices = await app.app.get(StripeCatalogService).ensureCatalogPrices(app.config.catalog);
      await app.app.get(PlansService).registerPriceIds(prices);
      // APP_URL is unset, so Checkout comes back to its default origin: open the page there, as a
      // newcomer following the README would (sessionStorage is per origin).
      base = `http://localhost:${port}`;
    });

    afterAll(async () => {
      await app?.close();
      await sim?.close();
    });

    it('pastes a token, upgrades to Glow Up on the Checkout page, and comes back to the new plan', async () => {
      const token = await app.token({ business: 'biz_browser_tour', role: 'owner', email: 'owner@tour.test' });
      const page = await browser.context.newPage();
      const errors = collectErrors(page, base);
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));

      await page.goto(`${base}/billing`);
      await page.fill('#token', token);
      await page.click('#save-token');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');
      await expect(page.locator('#usage li[data-metric="campaigns"] .metric-numbers').textContent()).resolves.toBe(
        '0 of 1 used, 1 left',
      );

      await upgradeTo(page, 'glow_up', `${sim.url}/checkout/`);
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/billing');

      await expect(page.getAttribute('#checkout-banner', 'data-outcome')).resolves.toBe('success');
      await expect(shownPlan(page, 'glow_up')).resolves.toBe('Glow Up');
      await expect(page.textContent('#plan-source')).resolves.toBe('(SUBSCRIPTION)');
      await expect(page.isDisabled('button.upgrade[data-plan-key="glow_up"]')).resolves.toBe(true);
      await expect(page.locator('#usage li[data-metric="campaigns"] .metric-numbers').textContent()).resolves.toBe(
        '0 of 5 used, 5 left',
      );

      // The server agrees, and the token never travelled in a URL (only in the Authorization header).
      const billing = await app.gql<{ billing: { plan: { key: string } } }>('{ billing { plan { key } } }', undefined, token);
      expect(billing.data?.billing.plan.key).toBe('glow_up');

      // A second Checkout is refused while subscribed, and the page names the code.
      await page.click('button.upgrade[data-plan-key="viral_surge"]');
      await page.locator('#status.error').waitFor();
      await expect(page.textContent('#status')).resolves.toMatch(/^ALREADY_SUBSCRIBED: /);
      expect(page.url()).toBe(`${base}/billing`);

      // Cancelling at the period end shows its warning, with the date it applies until.
      const cancel = await app.gql('mutation { cancelSubscription(atPeriodEnd: true) { cancelAtPeriodEnd } }', undefined, token);
      expect(cancel.errors).toBeUndefined();
      await page.reload();
      await expect(shownPlan(page, 'glow_up')).resolves.toBe('Glow Up');
      await expect(page.locator('#warnings li[data-code="CANCELS_AT_PERIOD_END"]').textContent()).resolves.toMatch(
        /^The subscription ends on .+; resume it to keep the plan \(until .+\)$/,
      );
      expect(urls.some((url) => url.includes(`${sim.url}/checkout/`))).toBe(true);
      expect(urls.filter((url) => url.includes(token))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('comes back with the cancel banner and the account still Free when the card is declined', async () => {
      const token = await app.token({ business: 'biz_browser_declined', role: 'owner', email: 'owner@declined.test' });
      const page = await browser.context.newPage();
      const errors = collectErrors(page, base);
      await page.goto(`${base}/billing`);
      await page.fill('#token', token);
      await page.click('#save-token');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');

      await upgradeTo(page, 'glow_up', `${sim.url}/checkout/`);
      await page.getByRole('button', { name: 'Decline card', exact: true }).click();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/billing');

      await expect(page.getAttribute('#checkout-banner', 'data-outcome')).resolves.toBe('cancel');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('asks for a token before Upgrade, and forgets it on request', async () => {
      const token = await app.token({ business: 'biz_browser_forget', role: 'owner' });
      const page = await browser.context.newPage();
      await page.goto(`${base}/billing`);
      await page.click('button.upgrade[data-plan-key="viral_surge"]');
      await expect(page.textContent('#status')).resolves.toBe('Paste an owner token first.');
      expect(page.url()).toBe(`${base}/billing`);

      await page.fill('#token', token);
      await page.click('#save-token');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');
      await expect(page.inputValue('#token')).resolves.toBe('');
      await page.click('#forget-token');
      await expect(page.textContent('#plan-name')).resolves.toBe('-');
      await expect(page.evaluate('sessionStorage.length')).resolves.toBe(0);
      await page.close();
    });
  });

  describe('escaping and headers', () => {
    let app: TestApp;
    let base: string;
    let catalogPath: string;
    const evilName = '<img src=x onerror="window.__xss = 1">Glow';

    beforeAll(async () => {
      // A catalog whose plan name and description are markup: the page must show them as text.
      const catalog = JSON.parse(await readFile(join(REPO_ROOT, 'catalogs/default.json'), 'utf8'));
      const glowUp = catalog.plans.find((plan: { key: string }) => plan.key === 'glow_up');
      glowUp.name = evilName;
      glowUp.description = '<script>window.__xss = 2</script>';
      catalogPath = join(tmpdir(), `billing-page-catalog-${process.pid}-${Date.now()}.json`);
      await writeFile(catalogPath, JSON.stringify(catalog));
      const port = await findFreePort(20_000 + Math.floor(Math.random() * 20_000));
      app = await createTestApp({
        env: { PLAN_CATALOG_PATH: catalogPath, STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_glow_up_monthly' },
        listenPort: port,
      });
      base = `http://127.0.0.1:${port}`;
    });

    afterAll(async () => {
      await app?.close();
      await rm(catalogPath, { force: true });
    });

    it('shows plan names and descriptions as text and echoes nothing from the query string', async () => {
      const page = await browser.context.newPage();
      const errors = collectErrors(page, base);
      await page.goto(`${base}/billing?checkout=${encodeURIComponent('<script>window.__xss = 3</script>')}`);
      await expect(page.textContent('.plan[data-plan-key="glow_up"] h3')).resolves.toBe(evilName);
      await expect(page.textContent('button.upgrade[data-plan-key="glow_up"]')).resolves.toBe(`Upgrade to ${evilName}`);
      await expect(page.evaluate(() => (globalThis as { __xss?: number }).__xss)).resolves.toBeUndefined();
      await expect(page.locator('img').count()).resolves.toBe(0);
      await expect(page.locator('#checkout-banner').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('serves the page without a token, with a CSP that allows only its own script and style', async () => {
      const res = await app.http().get('/billing').expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(BILLING_PAGE_CSP);
      expect(BILLING_PAGE_CSP).toContain("script-src 'self'");
      expect(BILLING_PAGE_CSP).not.toContain('unsafe-inline');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const script = await app.http().get('/billing/assets/billing-page.js').expect(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.text).toContain('createCheckoutSession');
      const style = await app.http().get('/billing/assets/billing-page.css').expect(200);
      expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    });
  });

  describe('switched off', () => {
    it('has no /billing page with BILLING_PAGE_ENABLED=false', async () => {
      const app = await createTestApp({ env: { BILLING_PAGE_ENABLED: 'false' } });
      try {
        const page = await app.http().get('/billing');
        const script = await app.http().get('/billing/assets/billing-page.js');
        expect([page.status, script.status]).toEqual([404, 404]);
      } finally {
        await app.close();
      }
    });
  });
});
