import { Command, CommandRunner, Option } from 'nest-commander';
import { formatDrift } from '../admin/billing-drift.util.js';
import { reconciliationVerdict } from '../admin/reconcile-summary.util.js';
import { ReconciliationService } from '../admin/reconciliation.service.js';
import { cliOperator } from './cli-operator.util.js';
import { emit, formatFields } from './cli-output.util.js';
import { createProgress } from './cli-progress.util.js';

interface VerifyOptions {
  fix?: boolean;
  business?: string;
  json?: boolean;
}

@Command({
  name: 'verify-entitlements',
  description:
    'Diff every account with a Stripe customer against Stripe, and every account\'s usage counters against the product; --fix heals',
})
export class VerifyEntitlementsCommand extends CommandRunner {
  constructor(private readonly reconciliation: ReconciliationService) {
    super();
  }

  async run(_args: string[], options: VerifyOptions): Promise<void> {
    const progress = createProgress();
    const summary = await this.reconciliation.run({
      fix: options.fix === true,
      businessId: options.business,
      operator: cliOperator(),
      source: 'admin',
      onProgress: (done, total, current) => progress.tick(done, total, `${current.businessId}: ${reconciliationVerdict(current)}`),
    });
    progress.stop();
    emit(options.json, summary, () => {
      const lines = [
        formatFields({
          checked: summary.checked,
          'in sync': summary.inSync,
          drifted: summary.drifted,
          fixed: summary.fixed,
          errors: summary.errors,
          'usage checked': summary.usageChecked,
          'usage recounted': summary.usageRecounted,
          'usage errors': summary.usageErrors,
          'not recountable': summary.notRecountable.join(', ') || null,
        }),
      ];
      for (const account of summary.accounts) {
        lines.push('', `${account.businessId} (${account.customerId ?? 'no Stripe customer'})${account.fixed ? ' [fixed]' : ''}`);
        if (account.error) lines.push(`  error: ${account.error}`);
        for (const drift of account.drifts) lines.push(`  ${formatDrift(drift)}`);
        for (const usage of account.usageDrifts) lines.push(`  usage.${usage.metric}: ${usage.counter} -> ${usage.actual}${account.usageRecounted ? ' [recounted]' : ''}`);
        if (account.usageError) lines.push(`  usage error: ${account.usageError}`);
      }
      return lines.join('\n');
    });
    // Scripts can alert on a non-zero exit: errors, or drift left unfixed.
    if (
      summary.errors > 0 ||
      summary.usageErrors > 0 ||
      (!options.fix && (summary.drifted > 0 || summary.accounts.some((a) => a.usageDrifts.length > 0)))
    ) {
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--fix', description: 're-sync drifted accounts (billingSyncStatus reconciliation) and recount usage' })
  parseFix(): boolean {
    return true;
  }

  @Option({ flags: '--business <id>', description: 'only this business' })
  parseBusiness(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'print JSON (for scripts)' })
  parseJson(): boolean {
    return true;
  }
}
