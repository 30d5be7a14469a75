import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import type { RawEnvironment } from '../config/load-config.js';
import { productionEnv } from '../../test/factories/production-env.factory.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// A production environment that passes validation, so only BILLING_PAGE_ENABLED varies.
const PRODUCTION = productionEnv();

function enabled(env: RawEnvironment): boolean {
  const result = loadConfig(env, ROOT);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.billingPage.enabled;
}

describe('BILLING_PAGE_ENABLED', () => {
  it('defaults to on outside production and off in production', () => {
    expect(enabled({})).toBe(true);
    expect(enabled({ NODE_ENV: 'test' })).toBe(true);
    expect(enabled(PRODUCTION)).toBe(false);
  });

  it('switches the page on in production or off elsewhere when set', () => {
    expect(enabled({ ...PRODUCTION, BILLING_PAGE_ENABLED: 'true' })).toBe(true);
    expect(enabled({ BILLING_PAGE_ENABLED: 'false' })).toBe(false);
  });

  it('refuses anything but true or false', () => {
    const result = loadConfig({ BILLING_PAGE_ENABLED: 'yes' }, ROOT);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.some((e) => e.startsWith('BILLING_PAGE_ENABLED'))).toBe(true);
  });
});
