import { HttpStatus } from '@nestjs/common';
import { AppException } from './app.exception.js';

export enum RequestErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

const STATUS: Record<RequestErrorCode, HttpStatus> = {
  [RequestErrorCode.BAD_USER_INPUT]: HttpStatus.BAD_REQUEST,
  [RequestErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [RequestErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [RequestErrorCode.TOO_MANY_REQUESTS]: HttpStatus.TOO_MANY_REQUESTS,
  [RequestErrorCode.INTERNAL_SERVER_ERROR]: HttpStatus.INTERNAL_SERVER_ERROR,
  [RequestErrorCode.SERVICE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Errors about the request itself rather than any one module: bad input, unknown route, outages. */
export class RequestException extends AppException<RequestErrorCode> {
  constructor(code: RequestErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
