import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminAccountsService } from '../admin/admin-accounts.service.js';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { accountSummary } from './account-summary.util.js';
import { cliOperator } from './cli-operator.util.js';
import { emit, formatFields, formatTable, section } from './cli-output.util.js';

interface FixOptions {
  reason?: string;
  json?: boolean;
}

@Command({
  name: 'fix-user-billing-state',
  arguments: '<business>',
  description: 'Sync from Stripe, recount usage, and replay the dead letters of one business',
})
export class FixUserBillingStateCommand extends CommandRunner {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
  ) {
    super();
  }

  async run([businessId]: string[], options: FixOptions): Promise<void> {
    const operator = cliOperator();
    const reason = options.reason ?? 'fix-user-billing-state (CLI)';
    await this.repair.syncFromStripe(operator, businessId, reason);
    const recount = await this.repair.recountUsage(operator, businessId, reason);
    const { eventIds } = await this.repair.replayDeadLetters(operator, { businessId, unowned: false }, reason);
    const notRecountable = this.repair.notRecountableMetrics();
    const view = await this.accounts.view({ businessId });
    emit(options.json, { account: view, recount, notRecountable, replayed: eventIds }, () =>
      [
        section('Account', formatFields(accountSummary(view))),
        section('Usage recount', formatTable(recount.map((r) => ({ metric: r.metric, before: r.before, after: r.after })))),
        ...(notRecountable.length ? [section('Not recountable (no count source; left as they are)', notRecountable.join('\n'))] : []),
        section('Dead letters queued again (the running service processes them)', eventIds.join('\n') || '(none)'),
      ].join('\n'),
    );
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
