import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum BillingErrorCode {
  NO_BUSINESS = 'NO_BUSINESS',
}

const STATUS: Record<BillingErrorCode, HttpStatus> = {
  [BillingErrorCode.NO_BUSINESS]: HttpStatus.BAD_REQUEST,
};

export class BillingException extends AppException<BillingErrorCode> {
  constructor(code: BillingErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
