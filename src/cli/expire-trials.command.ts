import { Command, CommandRunner, Option } from 'nest-commander';
import { Clock } from '../clock/clock.js';
import { TrialExpiryService } from '../trials/trial-expiry.service.js';
import { emit } from './cli-output.util.js';
import { expiryAsOf } from './expiry-as-of.util.js';
import { parseIsoTime } from './parse-iso-time.util.js';

interface ExpireTrialsOptions {
  now?: Date;
  force?: boolean;
  json?: boolean;
}

/**
 * `expire-trials [--now <ISO time>] [--force] [--json]`: the scheduled trial expiry, run once, as
 * of now or the given time. Needs the database (TrialsModule); another instance running the job
 * at the same moment makes this run expire nothing, which it says (`ran: false`).
 */
@Command({
  name: 'expire-trials',
  description: 'Expire every card-less trial due as of now (or --now) and send due trial.will_end reminders',
})
export class ExpireTrialsCommand extends CommandRunner {
  constructor(
    private readonly expiry: TrialExpiryService,
    private readonly clock: Clock,
  ) {
    super();
  }

  async run(_args: string[], options: ExpireTrialsOptions): Promise<void> {
    const asOf = expiryAsOf(options.now, this.clock.now(), options.force ?? false);
    const result = await this.expiry.run(asOf);
    emit(options.json, { ...result, asOf: asOf.toISOString() }, () => {
      const note = result.ran ? '' : ' (another instance holds the trial expiry lock; nothing done)';
      return `expired ${result.expired} trials, sent ${result.reminded} reminders as of ${asOf.toISOString()}${note}`;
    });
  }

  @Option({
    flags: '--now <iso>',
    description: 'the time to expire as of, with a zone, e.g. 2026-12-01T00:00:00Z (default: now; a future time needs --force)',
  })
  parseNow(value: string): Date {
    return parseIsoTime('--now', value);
  }

  @Option({ flags: '--force', description: 'allow a --now in the future (expires trials before their end)' })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'print JSON (for scripts): { expired, reminded, ran, asOf }' })
  parseJson(): boolean {
    return true;
  }
}
