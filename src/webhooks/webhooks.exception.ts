import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum WebhooksErrorCode {
  RAW_BODY_MISSING = 'RAW_BODY_MISSING',
  /** Correctly signed, but not a Stripe event we can store (not JSON, fields missing or unstorable). */
  INVALID_EVENT = 'INVALID_EVENT',
  INBOX_UNAVAILABLE = 'INBOX_UNAVAILABLE',
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
}

const STATUS: Record<WebhooksErrorCode, HttpStatus> = {
  [WebhooksErrorCode.RAW_BODY_MISSING]: HttpStatus.BAD_REQUEST,
  // Stripe would send the same bytes again: a retry cannot help, so the answer is a 4xx.
  [WebhooksErrorCode.INVALID_EVENT]: HttpStatus.BAD_REQUEST,
  // 503 makes Stripe deliver the event again later: nothing is lost while the database is down.
  [WebhooksErrorCode.INBOX_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [WebhooksErrorCode.EVENT_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class WebhooksException extends AppException<WebhooksErrorCode> {
  constructor(code: WebhooksErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
