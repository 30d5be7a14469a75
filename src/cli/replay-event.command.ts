import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { CliErrorCode, CliException } from './cli.exception.js';
import { cliOperator } from './cli-operator.util.js';
import { emit } from './cli-output.util.js';

interface ReplayOptions {
  dead?: boolean;
  business?: string;
  reason?: string;
  json?: boolean;
}

@Command({
  name: 'replay-event',
  arguments: '[eventId]',
  description: 'Queue one webhook event again, or every dead letter (--dead, optionally of one --business)',
})
export class ReplayEventCommand extends CommandRunner {
  constructor(private readonly repair: AdminRepairService) {
    super();
  }

  async run([eventId]: string[], options: ReplayOptions): Promise<void> {
    if (!eventId === !options.dead) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, 'replay-event needs an event id or --dead (not both)');
    }
    const reason = options.reason ?? 'replay-event (CLI)';
    const eventIds = eventId
      ? (await this.repair.replayEvent(cliOperator(), eventId, reason), [eventId])
      : (await this.repair.replayDeadLetters(cliOperator(), options.business ?? null, reason)).eventIds;
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

  @Option({ flags: '--reason <text>', description: 'why, for the audit log' })
  parseReason(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'print JSON (for scripts)' })
  parseJson(): boolean {
    return true;
  }
}
