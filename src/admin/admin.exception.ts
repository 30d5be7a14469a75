import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum AdminErrorCode {
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  /** Exactly one of businessId and email, a cursor of this list, a date in the future... */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  /** The account is not in a state the repair applies to (e.g. no trial to extend). */
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}

const STATUS: Record<AdminErrorCode, HttpStatus> = {
  [AdminErrorCode.ACCOUNT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [AdminErrorCode.EVENT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [AdminErrorCode.BAD_USER_INPUT]: HttpStatus.BAD_REQUEST,
  [AdminErrorCode.UNKNOWN_PLAN]: HttpStatus.BAD_REQUEST,
  [AdminErrorCode.NOT_APPLICABLE]: HttpStatus.CONFLICT,
};

export class AdminException extends AppException<AdminErrorCode> {
  constructor(code: AdminErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
