import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
}

const STATUS: Record<AuthErrorCode, HttpStatus> = {
  [AuthErrorCode.UNAUTHENTICATED]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
};

export class AuthException extends AppException<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
