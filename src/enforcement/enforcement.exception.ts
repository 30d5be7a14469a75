import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';
import { seedDenialFields } from './seed-denial-fields.util.js';

export enum EnforcementErrorCode {
  /** Details: metric, used, limit, requested, upgradeRequired, suggestedPlan. */
  PLAN_LIMIT_EXCEEDED = 'PLAN_LIMIT_EXCEEDED',
  /** Details: feature, plan, upgradeRequired, suggestedPlan. */
  FEATURE_NOT_IN_PLAN = 'FEATURE_NOT_IN_PLAN',
  UNKNOWN_METRIC = 'UNKNOWN_METRIC',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  NO_BUSINESS = 'NO_BUSINESS',
  /** A handler declares a metric or feature the catalog lacks: our bug, refused rather than allowed. */
  PLAN_REQUIREMENT_MISCONFIGURED = 'PLAN_REQUIREMENT_MISCONFIGURED',
  /**
   * A reservation found no definite answer in its rounds (counter rows changing under it, which
   * normal operation never does). Nothing was granted; retryable (503 with Retry-After).
   */
  CAPACITY_CONTENDED = 'CAPACITY_CONTENDED',
}

const STATUS: Record<EnforcementErrorCode, HttpStatus> = {
  [EnforcementErrorCode.PLAN_LIMIT_EXCEEDED]: HttpStatus.FORBIDDEN,
  [EnforcementErrorCode.FEATURE_NOT_IN_PLAN]: HttpStatus.FORBIDDEN,
  [EnforcementErrorCode.UNKNOWN_METRIC]: HttpStatus.BAD_REQUEST,
  [EnforcementErrorCode.INVALID_AMOUNT]: HttpStatus.BAD_REQUEST,
  [EnforcementErrorCode.NO_BUSINESS]: HttpStatus.BAD_REQUEST,
  [EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [EnforcementErrorCode.CAPACITY_CONTENDED]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class EnforcementException extends AppException<EnforcementErrorCode> {
  constructor(code: EnforcementErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }

  override restDetails(): Record<string, unknown> {
    return { ...this.details, ...seedDenialFields(this.code, this.message, this.details) };
  }
}
