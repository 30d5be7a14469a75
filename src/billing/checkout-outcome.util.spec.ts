import { describe, expect, it } from '@jest/globals';
import { billingReturnUrl, checkoutOutcome, returningSessionBusiness } from './checkout-outcome.util.js';

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

describe('returningSessionBusiness', () => {
  const ours = { openedBy: 'biz_1', metadataBusinessId: 'biz_1', account: { stripeCustomerId: 'cus_1' }, customerId: 'cus_1' };

  it('is the business that opened the session, with matching metadata and customer (or none linked yet)', () => {
    expect(returningSessionBusiness(ours)).toBe('biz_1');
    expect(returningSessionBusiness({ ...ours, account: { stripeCustomerId: null } })).toBe('biz_1');
    expect(returningSessionBusiness({ ...ours, customerId: null })).toBe('biz_1');
  });

  it('is none for a session we never opened, whatever else it names', () => {
    expect(returningSessionBusiness({ ...ours, openedBy: null })).toBeNull();
  });

  it('is none when the metadata disagrees with our row, or the account is missing or linked elsewhere', () => {
    expect(returningSessionBusiness({ ...ours, metadataBusinessId: 'biz_2' })).toBeNull();
    expect(returningSessionBusiness({ ...ours, metadataBusinessId: null })).toBeNull();
    expect(returningSessionBusiness({ ...ours, account: null })).toBeNull();
    expect(returningSessionBusiness({ ...ours, customerId: 'cus_other' })).toBeNull();
  });
});
