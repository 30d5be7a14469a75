import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminAccountsService } from '../admin/admin-accounts.service.js';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { accountSummary } from './account-summary.util.js';
import { CliErrorCode, CliException } from './cli.exception.js';
import { cliOperator } from './cli-operator.util.js';
import { emit, formatFields } from './cli-output.util.js';

interface ActivateOptions {
  until?: Date;
  reason?: string;
  json?: boolean;
}

export function parseDateOption(value: string, flag: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliException(CliErrorCode.BAD_ARGUMENTS, `${flag}: not a date (use ISO 8601, e.g. 2027-01-31)`);
  return date;
}

@Command({
  name: 'activate-plan',
  arguments: '<business> <plan>',
  description: 'Grant a plan to a business (an admin override, e.g. a comped account), until a date or until revoked',
})
export class ActivatePlanCommand extends CommandRunner {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
  ) {
    super();
  }

  async run([businessId, planKey]: string[], options: ActivateOptions): Promise<void> {
    const account = await this.repair.grantPlan(cliOperator(), businessId, planKey, options.until ?? null, options.reason ?? 'activate-plan (CLI)');
    const view = this.accounts.toView(account);
    emit(options.json, view, () => formatFields(accountSummary(view)));
  }

  @Option({ flags: '--until <date>', description: 'end of the grant (ISO 8601); default until revoked' })
  parseUntil(value: string): Date {
    return parseDateOption(value, '--until');
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
