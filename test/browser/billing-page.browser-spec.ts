import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { BILLING_PAGE_CSP } from '../../src/billing-page/billing-page-assets.constant.js';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';
import { type Chromium, launchChromium } from './chromium.js';
import { type NpmStart, processesUsing, startNpmStart } from './npm-start.js';

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
  // The buttons are server-rendered: a plan without one has no price, and waiting would not help.
  if ((await page.locator(`button.upgrade[data-plan-key="${key}"]`).count()) === 0) {
    throw new Error(`no Upgrade button for ${key}: ${await page.textContent(`.plan[data-plan-key="${key}"]`)}`);
  }
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
    // The real `npm start` after its build, configured with nothing but its ports and data folder:
    // main.ts's embedded PostgreSQL, in-process simulator, price registration and webhook secret.
    let service: NpmStart;
    let checkoutPrefix: string;

    beforeAll(async () => {
      service = await startNpmStart();
      checkoutPrefix = `${service.simulatorUrl}/checkout/`;
    }, 120_000);

    afterAll(async () => {
      await service?.cleanUp();
    });

    it('pastes a token, upgrades to Glow Up on the Checkout page, and comes back to the new plan', async () => {
      const { base } = service;
      const token = await service.token({ business: 'biz_browser_tour', role: 'owner', email: 'owner@tour.test' });
      const page = await browser.context.newPage();
      const errors = collectErrors(page, base);
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));

      await page.goto(`${base}/billing`);
      // Every paid plan of the catalog is on sale: main.ts created and registered their simulator prices.
      const forSale = page.locator('button.upgrade').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-plan-key')));
      await expect(forSale).resolves.toEqual(['glow_up', 'viral_surge', 'fame_flex']);
      await page.fill('#token', token);
      await page.click('#save-token');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');
      await expect(page.locator('#usage li[data-metric="campaigns"] .metric-numbers').textContent()).resolves.toBe(
        '0 of 1 used, 1 left',
      );

      await upgradeTo(page, 'glow_up', checkoutPrefix);
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
      const billing = await service.gql<{ billing: { plan: { key: string } } }>('{ billing { plan { key } } }', token);
      expect(billing.data?.billing.plan.key).toBe('glow_up');

      // The simulator's webhooks reach the service signed with the secret main.ts gave both: the
      // checkout's event is accepted, and nothing that reached the service was refused (attempts
      // without a status are the start-up's, sent before the service listened, and retried).
      await fetch(`${service.simulatorUrl}/_sim/idle`);
      const deliveries = (await (await fetch(`${service.simulatorUrl}/_sim/deliveries`)).json()) as {
        data: { type: string; status: number | null }[];
      };
      expect(deliveries.data.filter((d) => d.type === 'checkout.session.completed').map((d) => d.status)).toEqual([200]);
      expect(deliveries.data.filter((d) => d.status !== null && d.status !== 200)).toEqual([]);

      // A second Checkout is refused while subscribed, and the page names the code.
      await page.click('button.upgrade[data-plan-key="viral_surge"]');
      await page.locator('#status.error').waitFor();
      await expect(page.textContent('#status')).resolves.toMatch(/^ALREADY_SUBSCRIBED: /);
      expect(page.url()).toBe(`${base}/billing`);

      // Cancelling at the period end shows its warning, with the date it applies until.
      const cancel = await service.gql('mutation { cancelSubscription(atPeriodEnd: true) { cancelAtPeriodEnd } }', token);
      expect(cancel.errors).toBeUndefined();
      await page.reload();
      await expect(shownPlan(page, 'glow_up')).resolves.toBe('Glow Up');
      await expect(page.locator('#warnings li[data-code="CANCELS_AT_PERIOD_END"]').textContent()).resolves.toMatch(
        /^The subscription ends on .+; resume it to keep the plan \(until .+\)$/,
      );
      expect(urls.some((url) => url.startsWith(checkoutPrefix))).toBe(true);
      expect(urls.filter((url) => url.includes(token))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("runs the operator CLI beside it: npm start's database and simulator, nothing configured", async () => {
      const inspect = await service.cli(['inspect-user-state', '--business', 'biz_browser_tour', '--json']);
      expect(inspect.code).toBe(0);
      expect(inspect.stderr).toMatch(/using the embedded PostgreSQL of the running service/);
      expect(JSON.parse(inspect.stdout)).toMatchObject({ account: { businessId: 'biz_browser_tour' }, plan: { key: 'glow_up' } });
      // Stripe calls go to the running service's simulator, whose prices map to the catalog's plans.
      const verify = await service.cli(['verify-entitlements', '--business', 'biz_browser_tour', '--json']);
      expect(verify.stderr).toMatch(/using the Stripe simulator of the running service \(http:\/\/127\.0\.0\.1:\d+\)/);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ checked: 1, inSync: 1, drifted: 0, errors: 0 });
    });

    it('comes back with the cancel banner and the account still Free when the card is declined', async () => {
      const { base } = service;
      const token = await service.token({ business: 'biz_browser_declined', role: 'owner', email: 'owner@declined.test' });
      const page = await browser.context.newPage();
      const errors = collectErrors(page, base);
      await page.goto(`${base}/billing`);
      await page.fill('#token', token);
      await page.click('#save-token');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');

      await upgradeTo(page, 'glow_up', checkoutPrefix);
      await page.getByRole('button', { name: 'Decline card', exact: true }).click();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/billing');

      await expect(page.getAttribute('#checkout-banner', 'data-outcome')).resolves.toBe('cancel');
      await expect(shownPlan(page, 'free')).resolves.toBe('Free');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('asks for a token before Upgrade, and forgets it on request', async () => {
      const { base } = service;
      const token = await service.token({ business: 'biz_browser_forget', role: 'owner' });
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

    // Last in this block: it ends the service the tests above share.
    it('stops on Ctrl-C (SIGINT) with exit code 0 and leaves no PostgreSQL running in its data folder', async () => {
      const pidFile = join(service.dataDir, 'postmaster.pid');
      const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      expect(processesUsing(service.dataDir)).toEqual([postmaster]);

      await expect(service.interrupt()).resolves.toEqual({ code: 0, signal: null });
      expect(processesUsing(service.dataDir)).toEqual([]);
      expect(existsSync(pidFile)).toBe(false);
      expect(() => process.kill(postmaster, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
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
