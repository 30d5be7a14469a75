import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppConfigService } from '../config/app-config.service.js';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { STRIPE_API_VERSION, StripeClientService, toStripeException } from './stripe-client.service.js';
import { StripeErrorCode, StripeException } from './stripe.exception.js';

describe('toStripeException', () => {
  it('calls only transport errors, 5xx and rate limits STRIPE_UNAVAILABLE', () => {
    const unavailable = [
      new Stripe.errors.StripeConnectionError({ message: 'ECONNREFUSED' }),
      new Stripe.errors.StripeRateLimitError({ message: 'slow down', statusCode: 429 }),
      new Stripe.errors.StripeAPIError({ message: 'boom', statusCode: 500 }),
    ];
    for (const error of unavailable) {
      expect((toStripeException(error) as StripeException).code).toBe(StripeErrorCode.STRIPE_UNAVAILABLE);
    }
    const refused = toStripeException(new Stripe.errors.StripeInvalidRequestError({ message: 'No such customer', statusCode: 404 }));
    expect((refused as StripeException).code).toBe(StripeErrorCode.STRIPE_REQUEST_FAILED);
  });

  it('returns a bug in our code (a TypeError while mapping) unchanged: never "Stripe is down"', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'data')");
    expect(toStripeException(bug)).toBe(bug);
  });
});

describe('StripeClientService', () => {
  it('pins the API version it parses, which is the SDK\'s own pin', () => {
    expect(STRIPE_API_VERSION).toBe('2026-10-28.endive');
    expect(Stripe.API_VERSION).toBe(STRIPE_API_VERSION);
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const loaded = loadConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: 'sk_test_pin', STRIPE_API_BASE: 'http://127.0.0.1:12111' }, root);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const client = new StripeClientService(new AppConfigService(loaded.config));
    expect(client.apiVersion).toBe(STRIPE_API_VERSION);
  });
});
