import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum PlansErrorCode {
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  UNKNOWN_PRICE_ID = 'UNKNOWN_PRICE_ID',
}

const STATUS: Record<PlansErrorCode, HttpStatus> = {
  [PlansErrorCode.UNKNOWN_PLAN]: HttpStatus.NOT_FOUND,
  // A price we do not know is a configuration problem on our side, never the caller's.
  [PlansErrorCode.UNKNOWN_PRICE_ID]: HttpStatus.INTERNAL_SERVER_ERROR,
};

export class PlansException extends AppException<PlansErrorCode> {
  constructor(code: PlansErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
