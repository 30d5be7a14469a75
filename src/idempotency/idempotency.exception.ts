import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum IdempotencyErrorCode {
  /** Another request with this Idempotency-Key is still running: retry shortly with the same key. */
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
}

const STATUS: Record<IdempotencyErrorCode, HttpStatus> = {
  [IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_USE]: HttpStatus.CONFLICT,
};

export class IdempotencyException extends AppException<IdempotencyErrorCode> {
  constructor(code: IdempotencyErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
