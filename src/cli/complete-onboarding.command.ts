import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminAccountsService } from '../admin/admin-accounts.service.js';
import { AdminRepairService } from '../admin/admin-repair.service.js';
import { accountSummary } from './account-summary.util.js';
import { cliOperator } from './cli-operator.util.js';
import { emit, formatFields } from './cli-output.util.js';

interface OnboardingOptions {
  reason?: string;
  json?: boolean;
}

@Command({
  name: 'complete-onboarding-and-activate-plan',
  arguments: '<business> [plan]',
  description: 'Mark onboarding done, then grant [plan], or without one sync the plan from Stripe',
})
export class CompleteOnboardingCommand extends CommandRunner {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
  ) {
    super();
  }

  async run([businessId, planKey]: string[], options: OnboardingOptions): Promise<void> {
    const account = await this.repair.completeOnboarding(cliOperator(), businessId, planKey ?? null, options.reason ?? 'complete-onboarding-and-activate-plan (CLI)');
    const view = this.accounts.toView(account);
    emit(options.json, view, () => formatFields(accountSummary(view)));
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
