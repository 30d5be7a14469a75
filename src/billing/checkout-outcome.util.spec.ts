import { describe, expect, it } from '@jest/globals';
import { billingReturnUrl, checkoutOutcome } from './checkout-outcome.util.js';

describe('checkoutOutcome', () => {
  it('is success only for a complete session that is paid or needs no payment', () => {
    expect(checkoutOutcome({ status: 'complete', paymentStatus: 'paid' })).toBe('success');
    expect(checkoutOutcome({ status: 'complete', paymentStatus: 'no_payment_required' })).toBe('success');
  });

  it('is pending while a complete session is still being paid', () => {
    expect(checkoutOutcome({ status: 'complete', paymentStatus: 'unpaid' })).toBe('pending');
  });

  it('is cancel for an open (declined or abandoned) or expired session', () => {
    expect(checkoutOutcome({ status: 'open', paymentStatus: 'unpaid' })).toBe('cancel');
    expect(checkoutOutcome({ status: 'expired', paymentStatus: 'unpaid' })).toBe('cancel');
  });
});

describe('billingReturnUrl', () => {
  it('joins the app URL and the path and sets checkout=', () => {
    expect(billingReturnUrl('http://localhost:3000', '/billing', 'success')).toBe('http://localhost:3000/billing?checkout=success');
    expect(billingReturnUrl('https://app.example.com', '/settings/billing')).toBe('https://app.example.com/settings/billing');
  });

  it('keeps a base path of the app URL', () => {
    expect(billingReturnUrl('https://example.com/app', '/settings/billing', 'cancel')).toBe(
      'https://example.com/app/settings/billing?checkout=cancel',
    );
  });
});
