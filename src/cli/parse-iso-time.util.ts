import { CliErrorCode, CliException } from './cli.exception.js';

const WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;

/**
 * A CLI time argument: ISO 8601 with a date, a time and an explicit zone (Z or an offset such
 * as +01:00). Anything else is BAD_ARGUMENTS (exit code 2): "12/01" or "tomorrow" must not mean
 * something by accident, and a time without a zone would mean another instant on a machine in
 * another zone (JavaScript reads it as local time, a date alone as UTC).
 */
export function parseIsoTime(flag: string, value: string): Date {
  const example = 'such as 2026-12-01T00:00:00Z or 2026-12-01T01:00:00+01:00';
  const parts = WITH_ZONE.exec(value);
  if (!parts) {
    const reason = WITHOUT_ZONE.test(value)
      ? `names no time zone: add Z (UTC) or an offset`
      : 'is not an ISO 8601 time';
    throw new CliException(CliErrorCode.BAD_ARGUMENTS, `${flag} "${value}" ${reason}, ${example}`);
  }
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = parts[8];
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 2026-02-30 over into March: a field out of range shows as a field that changed.
  const inRange =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second &&
    (zone === 'Z' || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59));
  if (!inRange) throw new CliException(CliErrorCode.BAD_ARGUMENTS, `${flag} "${value}" is not a valid time, ${example}`);
  return new Date(local.getTime() - offsetMinutes * 60_000);
}
