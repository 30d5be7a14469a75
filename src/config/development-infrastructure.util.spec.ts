import { describe, expect, it } from '@jest/globals';
import { isSimulatorApiBase, realInfrastructureVariables } from './development-infrastructure.util.js';

describe('realInfrastructureVariables', () => {
  it('is empty with nothing configured (embedded PostgreSQL, in-process simulator)', () => {
    expect(realInfrastructureVariables({})).toEqual([]);
  });

  it('is empty with a Stripe key used against the local simulator', () => {
    expect(realInfrastructureVariables({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: 'http://127.0.0.1:12111' })).toEqual([]);
    expect(realInfrastructureVariables({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: 'http://localhost:12111' })).toEqual([]);
  });

  it('names a DATABASE_URL and a Stripe key used against Stripe', () => {
    expect(realInfrastructureVariables({ DATABASE_URL: 'postgres://127.0.0.1/db' })).toEqual(['DATABASE_URL']);
    expect(realInfrastructureVariables({ STRIPE_SECRET_KEY: 'sk_test_x' })).toEqual(['STRIPE_SECRET_KEY']);
    expect(realInfrastructureVariables({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: 'https://127.0.0.1:12111' })).toEqual([
      'STRIPE_SECRET_KEY',
    ]);
    expect(realInfrastructureVariables({ DATABASE_URL: 'postgres://db/x', STRIPE_SECRET_KEY: 'sk_live_x' })).toEqual([
      'DATABASE_URL',
      'STRIPE_SECRET_KEY',
    ]);
  });
});

describe('isSimulatorApiBase', () => {
  it('accepts http on loopback only', () => {
    expect(isSimulatorApiBase('http://[::1]:12111')).toBe(true);
    expect(isSimulatorApiBase('http://stripe.internal:12111')).toBe(false);
    expect(isSimulatorApiBase('https://api.stripe.com')).toBe(false);
    expect(isSimulatorApiBase('not a url')).toBe(false);
    expect(isSimulatorApiBase(undefined)).toBe(false);
  });
});
