import { AppException } from '../common/exceptions/app.exception.js';

export enum CliErrorCode {
  BAD_ARGUMENTS = 'BAD_ARGUMENTS',
}

const EXIT_STATUS: Record<CliErrorCode, number> = {
  [CliErrorCode.BAD_ARGUMENTS]: 2,
};

/** A CLI misuse; `httpStatus` carries the process exit code here. */
export class CliException extends AppException<CliErrorCode> {
  constructor(code: CliErrorCode, message: string) {
    super(code, message, EXIT_STATUS[code]);
  }
}
