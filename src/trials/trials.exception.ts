import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum TrialsErrorCode {
  /** The business had a trial already (card-less or Stripe): one per business, ever. */
  TRIAL_ALREADY_USED = 'TRIAL_ALREADY_USED',
  /** The plan does not exist, is not sold, or offers no trial (trialDays 0). */
  TRIAL_NOT_OFFERED = 'TRIAL_NOT_OFFERED',
  /** The business has a live subscription (OPEN_SUBSCRIPTION_STATUSES: active, trialing, past_due, unpaid, paused). */
  ALREADY_SUBSCRIBED = 'ALREADY_SUBSCRIBED',
}

const STATUS: Record<TrialsErrorCode, HttpStatus> = {
  [TrialsErrorCode.TRIAL_ALREADY_USED]: HttpStatus.CONFLICT,
  [TrialsErrorCode.TRIAL_NOT_OFFERED]: HttpStatus.BAD_REQUEST,
  [TrialsErrorCode.ALREADY_SUBSCRIBED]: HttpStatus.CONFLICT,
};

export class TrialsException extends AppException<TrialsErrorCode> {
  constructor(code: TrialsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
