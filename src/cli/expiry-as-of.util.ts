import { CliErrorCode, CliException } from './cli.exception.js';

/**
 * The time `expire-trials` runs as of: --now, or the Clock's now. A --now in the future is
 * refused unless forced: it would expire trials before their end, and nothing undoes that but an
 * admin extending each one. A past --now is allowed (it expires only what was due then).
 */
export function expiryAsOf(requested: Date | undefined, now: Date, force: boolean): Date {
  if (!requested) return now;
  if (requested > now && !force) {
    throw new CliException(
      CliErrorCode.BAD_ARGUMENTS,
      `--now ${requested.toISOString()} is in the future (it is ${now.toISOString()}): that would expire trials before their end; add --force to do it anyway`,
    );
  }
  return requested;
}
