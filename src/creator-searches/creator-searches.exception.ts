import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum CreatorSearchesErrorCode {
  CREATOR_SEARCH_NOT_FOUND = 'CREATOR_SEARCH_NOT_FOUND',
  CREATOR_SEARCH_ALREADY_COMPLETED = 'CREATOR_SEARCH_ALREADY_COMPLETED',
  /** creatorsFound below 0 or above what was granted. */
  CREATORS_FOUND_OUT_OF_RANGE = 'CREATORS_FOUND_OUT_OF_RANGE',
}

const STATUS: Record<CreatorSearchesErrorCode, HttpStatus> = {
  [CreatorSearchesErrorCode.CREATOR_SEARCH_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [CreatorSearchesErrorCode.CREATOR_SEARCH_ALREADY_COMPLETED]: HttpStatus.CONFLICT,
  [CreatorSearchesErrorCode.CREATORS_FOUND_OUT_OF_RANGE]: HttpStatus.BAD_REQUEST,
};

export class CreatorSearchesException extends AppException<CreatorSearchesErrorCode> {
  constructor(code: CreatorSearchesErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
