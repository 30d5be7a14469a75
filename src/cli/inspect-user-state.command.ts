import { DEAD_LETTER_STATUSES } from '../webhooks/stripe-event.entity.js';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminAccountsService } from '../admin/admin-accounts.service.js';
import { CliErrorCode, CliException } from './cli.exception.js';
import { emit, formatFields, formatTable, formatWarning, section } from './cli-output.util.js';

/** Events listed per kind: pending/failed and dead are queried apart, so neither hides the other. */
const EVENTS_SHOWN = 50;

interface InspectOptions {
  email?: string;
  business?: string;
  json?: boolean;
}

@Command({
  name: 'inspect-user-state',
  description: 'Plan and why, subscription, trial, usage, billingSyncStatus with history, pending and dead events',
})
export class InspectUserStateCommand extends CommandRunner {
  constructor(private readonly accounts: AdminAccountsService) {
    super();
  }

  async run(_args: string[], options: InspectOptions): Promise<void> {
    if (!options.email === !options.business) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, 'inspect-user-state needs exactly one of --email <e> and --business <id>');
    }
    const account = await this.accounts.view({ email: options.email, businessId: options.business });
    const owner = { businessId: account.businessId, stripeCustomerId: account.stripeCustomerId };
    const [billing, usage, history, pending, dead] = await Promise.all([
      this.accounts.ownerView(account.businessId),
      this.accounts.usage(account.businessId),
      this.accounts.syncHistory(account.businessId, 10),
      this.accounts.accountEvents(owner, EVENTS_SHOWN, ['pending', 'failed']),
      this.accounts.accountEvents(owner, EVENTS_SHOWN, DEAD_LETTER_STATUSES),
    ]);
    const state = { account, plan: { key: billing.plan.key, source: billing.planSource, warnings: billing.warnings }, usage, history, pending, dead };
    emit(options.json, state, () =>
      [
        section('Account', formatFields({
          businessId: account.businessId,
          billingEmail: account.billingEmail,
          stripeCustomerId: account.stripeCustomerId,
          onboardingCompleted: account.onboardingCompleted,
          billingSyncStatus: account.billingSyncStatus,
          lastSyncedAt: account.lastSyncedAt,
          liveSubscriptions: account.liveSubscriptionCount,
          needsAHuman: account.warnings.map((w) => `${w.code}: ${w.message}`).join('; ') || null,
        })),
        section('Plan', formatFields({
          plan: billing.plan.key,
          why: billing.planSource,
          warnings: billing.warnings.map(formatWarning).join('; ') || null,
          subscribedPlan: account.subscribedPlanKey,
          override: account.override
            ? `${account.override.planKey} until ${account.override.until?.toISOString() ?? 'revoked'} (${account.override.reason ?? 'no reason'}, by ${account.override.grantedBy ?? '?'})`
            : null,
        })),
        section('Subscription', formatFields({
          status: account.subscriptionStatus,
          currentPeriodStart: account.currentPeriodStart,
          currentPeriodEnd: account.currentPeriodEnd,
          cancelAtPeriodEnd: account.cancelAtPeriodEnd,
          gracePeriodEndsAt: account.gracePeriodEndsAt,
        })),
        section('Trial', formatFields({ status: account.trialStatus, plan: account.trialPlanKey, endsAt: account.trialEndsAt })),
        section('Usage', formatTable(usage.map((u) => ({ metric: u.metric, kind: u.kind, used: u.used, limit: u.limit === -1 ? 'unlimited' : u.limit, overLimit: u.overLimit })))),
        section('billingSyncStatus history (last 10, newest first)', formatTable(history.map((h) => ({ at: h.createdAt, status: h.status, source: h.source, event: h.eventId, detail: h.detail })))),
        section(`Pending and failed events (newest first, at most ${EVENTS_SHOWN})`, formatTable(pending.map((e) => ({ id: e.id, type: e.type, status: e.status, attempts: e.attempts, next: e.nextAttemptAt, error: e.lastError })))),
        section(`Dead letters (newest first, at most ${EVENTS_SHOWN})`, formatTable(dead.map((e) => ({ id: e.id, type: e.type, attempts: e.attempts, error: e.lastError })))),
      ].join('\n'),
    );
  }

  @Option({ flags: '--email <email>', description: 'billing email of the account' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--business <id>', description: 'business id' })
  parseBusiness(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'print JSON (for scripts)' })
  parseJson(): boolean {
    return true;
  }
}
