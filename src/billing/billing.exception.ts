import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum BillingErrorCode {
  NO_BUSINESS = 'NO_BUSINESS',
  UNKNOWN_PLAN_IN_METADATA = 'UNKNOWN_PLAN_IN_METADATA',
  SUBSCRIPTION_WITHOUT_PRICE = 'SUBSCRIPTION_WITHOUT_PRICE',
  /** Several items and not exactly one of them is a catalog price. */
  NO_CATALOG_ITEM = 'NO_CATALOG_ITEM',
  /** Other syncs of the customer kept committing while this one read Stripe: retried. */
  SYNC_CONTENDED = 'SYNC_CONTENDED',
  /** Stripe's customer cannot be tied to a business (no account, no metadata): retried. */
  UNKNOWN_CUSTOMER = 'UNKNOWN_CUSTOMER',
  /**
   * What our server wrote (metadata) names another business than the customer's link, or the
   * business already has another Stripe customer: needs a human (dead letter at once).
   */
  CUSTOMER_MISMATCH = 'CUSTOMER_MISMATCH',
  /** Free, unknown, inactive, or no Stripe price for the interval. */
  PLAN_NOT_PURCHASABLE = 'PLAN_NOT_PURCHASABLE',
  /** A live subscription exists (active, trialing, past_due, unpaid, paused): change the plan instead. */
  ALREADY_SUBSCRIBED = 'ALREADY_SUBSCRIBED',
  NO_SUBSCRIPTION = 'NO_SUBSCRIPTION',
  NO_STRIPE_CUSTOMER = 'NO_STRIPE_CUSTOMER',
  SAME_PLAN = 'SAME_PLAN',
  /** Stripe declined the charge a change needs (a declined upgrade): nothing was changed. */
  PAYMENT_DECLINED = 'PAYMENT_DECLINED',
  /** Another checkout for this business is being created and took too long: retry. */
  CHECKOUT_IN_PROGRESS = 'CHECKOUT_IN_PROGRESS',
}

const STATUS: Record<BillingErrorCode, HttpStatus> = {
  [BillingErrorCode.NO_BUSINESS]: HttpStatus.BAD_REQUEST,
  [BillingErrorCode.UNKNOWN_PLAN_IN_METADATA]: HttpStatus.INTERNAL_SERVER_ERROR,
  [BillingErrorCode.SUBSCRIPTION_WITHOUT_PRICE]: HttpStatus.INTERNAL_SERVER_ERROR,
  [BillingErrorCode.NO_CATALOG_ITEM]: HttpStatus.INTERNAL_SERVER_ERROR,
  [BillingErrorCode.SYNC_CONTENDED]: HttpStatus.SERVICE_UNAVAILABLE,
  [BillingErrorCode.UNKNOWN_CUSTOMER]: HttpStatus.INTERNAL_SERVER_ERROR,
  [BillingErrorCode.CUSTOMER_MISMATCH]: HttpStatus.CONFLICT,
  [BillingErrorCode.PLAN_NOT_PURCHASABLE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [BillingErrorCode.ALREADY_SUBSCRIBED]: HttpStatus.CONFLICT,
  [BillingErrorCode.NO_SUBSCRIPTION]: HttpStatus.CONFLICT,
  [BillingErrorCode.NO_STRIPE_CUSTOMER]: HttpStatus.CONFLICT,
  [BillingErrorCode.SAME_PLAN]: HttpStatus.CONFLICT,
  [BillingErrorCode.PAYMENT_DECLINED]: HttpStatus.PAYMENT_REQUIRED,
  [BillingErrorCode.CHECKOUT_IN_PROGRESS]: HttpStatus.CONFLICT,
};

export class BillingException extends AppException<BillingErrorCode> {
  constructor(code: BillingErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
