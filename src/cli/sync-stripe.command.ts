import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { ReconciliationService } from '../admin/reconciliation.service.js';
import { CliErrorCode, CliException } from './cli.exception.js';
import { cliOperator } from './cli-operator.util.js';
import { emit, formatTable } from './cli-output.util.js';
import { createProgress } from './cli-progress.util.js';

interface SyncOptions {
  business?: string;
  all?: boolean;
  reason?: string;
  json?: boolean;
}

@Command({ name: 'sync-stripe', description: 'Re-sync one account (--business) or every account with a customer (--all) from Stripe' })
export class SyncStripeCommand extends CommandRunner {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly reconciliation: ReconciliationService,
  ) {
    super();
  }

  async run(_args: string[], options: SyncOptions): Promise<void> {
    if (!options.business === !options.all) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, 'sync-stripe needs exactly one of --business <id> and --all');
    }
    const reason = options.reason ?? 'sync-stripe (CLI)';
    if (options.business) {
      const account = await this.repair.syncFromStripe(cliOperator(), options.business, reason);
      const row = { businessId: account.businessId, planKey: account.planKey, subscriptionStatus: account.subscriptionStatus, billingSyncStatus: account.billingSyncStatus, error: null };
      emit(options.json, [row], () => formatTable([row]));
      return;
    }
    const progress = createProgress();
    const outcomes = await this.reconciliation.syncAll(cliOperator(), reason, (done, total, outcome) =>
      progress.tick(done, total, `${outcome.businessId}: ${outcome.error ?? outcome.planKey}`),
    );
    progress.stop();
    emit(options.json, outcomes, () => formatTable(outcomes as unknown as Record<string, string | null>[]));
    if (outcomes.some((outcome) => outcome.error)) process.exitCode = 1;
  }

  @Option({ flags: '--business <id>', description: 'the business to sync' })
  parseBusiness(value: string): string {
    return value;
  }

  @Option({ flags: '--all', description: 'every account with a Stripe customer (rate-limited by RECONCILE_MAX_RPS)' })
  parseAll(): boolean {
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
