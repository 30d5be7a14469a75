import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum StripeErrorCode {
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
  WEBHOOK_NOT_CONFIGURED = 'WEBHOOK_NOT_CONFIGURED',
  STRIPE_NOT_CONFIGURED = 'STRIPE_NOT_CONFIGURED',
  /** Stripe could not be reached or answered 5xx/429: worth retrying. */
  STRIPE_UNAVAILABLE = 'STRIPE_UNAVAILABLE',
  /** Stripe refused the request (4xx): retrying the same request will not help. */
  STRIPE_REQUEST_FAILED = 'STRIPE_REQUEST_FAILED',
}

const STATUS: Record<StripeErrorCode, HttpStatus> = {
  [StripeErrorCode.INVALID_SIGNATURE]: HttpStatus.BAD_REQUEST,
  // Our misconfiguration, not Stripe's: a 5xx makes Stripe retry until it is fixed.
  [StripeErrorCode.WEBHOOK_NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
  [StripeErrorCode.STRIPE_NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
  [StripeErrorCode.STRIPE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [StripeErrorCode.STRIPE_REQUEST_FAILED]: HttpStatus.BAD_GATEWAY,
};

export class StripeException extends AppException<StripeErrorCode> {
  constructor(code: StripeErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
