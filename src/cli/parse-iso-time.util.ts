import { CliErrorCode, CliException } from './cli.exception.js';

/** A CLI time argument: ISO 8601 only, so "12/01" or "tomorrow" cannot mean something by accident. */
export function parseIsoTime(flag: string, value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(value) || Number.isNaN(at.getTime())) {
    throw new CliException(CliErrorCode.BAD_ARGUMENTS, `${flag} must be an ISO 8601 time such as 2026-12-01T00:00:00Z, not "${value}"`);
  }
  return at;
}
