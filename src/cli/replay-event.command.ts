import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { CliErrorCode, CliException } from './cli.exception.js';
import { cliOperator } from './cli-operator.util.js';
import { emit } from './cli-output.util.js';

interface ReplayOptions {
  dead?: boolean;
  business?: string;
  unowned?: boolean;
  reason?: string;
  json?: boolean;
}

@Command({
  name: 'replay-event',
  arguments: '[eventId]',
  description:
    'Queue one webhook event again, or every owned dead letter (--dead), of one --business, or of Stripe customers no business owns (--unowned)',
})
export class ReplayEventCommand extends CommandRunner {
  constructor(private readonly repair: AdminRepairService) {
    super();
  }

  async run([eventId]: string[], options: ReplayOptions): Promise<void> {
    if (!eventId === !options.dead) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, 'replay-event needs an event id or --dead (not both)');
    }
    if ((options.business || options.unowned) && !options.dead) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, '--business and --unowned go with --dead');
    }
    if (options.business && options.unowned) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, '--business or --unowned, not both: the dead letters of a business are never unowned');
    }
    const reason = options.reason ?? 'replay-event (CLI)';
    const eventIds = eventId
      ? (await this.repair.replayEvent(cliOperator(), eventId, reason), [eventId])
      : (await this.repair.replayDeadLetters(cliOperator(), { businessId: options.business ?? null, unowned: options.unowned === true }, reason))
          .eventIds;
    emit(options.json, { replayed: eventIds }, () =>
      eventIds.length ? `queued again (the running service processes them):\n${eventIds.join('\n')}` : 'no dead letters',
    );
  }

  @Option({ flags: '--dead', description: 'every dead letter' })
  parseDead(): boolean {
    return true;
  }

  @Option({ flags: '--business <id>', description: 'with --dead: only this business' })
  parseBusiness(value: string): string {
    return value;
  }

  @Option({ flags: '--unowned', description: 'with --dead: the dead letters of Stripe customers no business owns (instead of the owned ones)' })
  parseUnowned(): boolean {
    return true;
  }

  @Option({ flags: '--reason <text>', description: 'why, for the audit log' })
  parseReason(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'print JSON (for scripts)' })
  parseJson(): boolean {
    return true;
  }
}
