import { Command, CommandRunner, Option } from 'nest-commander';
import { Clock } from '../clock/clock.js';
import { TrialExpiryService } from '../trials/trial-expiry.service.js';
import { parseIsoTime } from './parse-iso-time.util.js';

interface ExpireTrialsOptions {
  now?: Date;
}

/**
 * `expire-trials [--now <ISO time>]`: the scheduled trial expiry, run once, as of now or the
 * given time. Needs the database (TrialsModule); another instance running the job at the same
 * moment makes this run expire nothing, which it says.
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
    const asOf = options.now ?? this.clock.now();
    const result = await this.expiry.run(asOf);
    const note = result.ran ? '' : ' (another instance holds the trial expiry lock; nothing done)';
    process.stdout.write(`expired ${result.expired} trials, sent ${result.reminded} reminders as of ${asOf.toISOString()}${note}\n`);
  }

  @Option({ flags: '--now <iso>', description: 'the time to expire as of, e.g. 2026-12-01T00:00:00Z (default: now)' })
  parseNow(value: string): Date {
    return parseIsoTime('--now', value);
  }
}
