import { DEAD_LETTER_STATUSES } from '../webhooks/stripe-event.entity.js';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { AdminOnly } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { BillingAccountModel } from '../billing/billing-account.model.js';
import {
  AdminAuditEntryModel,
  AdminBillingAccountModel,
  AdminBillingAccountPageModel,
  AdminSyncLogEntryModel,
  AdminUsageModel,
} from './admin-account.model.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import {
  AdminAccountRefArgs,
  AdminBillingAccountsArgs,
  AdminBusinessArgs,
  AdminCompleteOnboardingArgs,
  AdminExtendTrialArgs,
  AdminGrantPlanArgs,
  AdminReasonedBusinessArgs,
  AdminReplayDeadLettersArgs,
  AdminReplayEventArgs,
  AdminWebhookEventsArgs,
  FirstArgs,
} from './admin-args.input.js';
import { AdminRepairService, type Operator } from './admin-repair.service.js';
import {
  AdminReplayResultModel,
  AdminWebhookEventModel,
  AdminWebhookEventPageModel,
  AdminWebhookStatsModel,
} from './admin-webhook-event.model.js';

const operator = (caller: AuthAccount): Operator => ({ sub: caller.userId });

/** The internal admin API. Class-level @AdminOnly: owner and member tokens get FORBIDDEN. */
@AdminOnly()
@Resolver(() => AdminBillingAccountModel)
export class AdminResolver {
  constructor(
    private readonly accounts: AdminAccountsService,
    private readonly repair: AdminRepairService,
  ) {}

  @Query(() => AdminBillingAccountPageModel, { description: 'Accounts by business id, keyset-paginated.' })
  adminBillingAccounts(@Args() args: AdminBillingAccountsArgs): Promise<AdminBillingAccountPageModel> {
    return this.accounts.list(args.filter ?? {}, args.first, args.after);
  }

  @Query(() => AdminBillingAccountModel, { description: 'One account, by businessId or billing email (exactly one).' })
  adminBillingAccount(@Args() ref: AdminAccountRefArgs): Promise<AdminBillingAccountModel> {
    return this.accounts.view(ref);
  }

  @Query(() => AdminWebhookEventPageModel, { description: 'Webhook events across accounts, newest first.' })
  adminWebhookEvents(@Args() args: AdminWebhookEventsArgs): Promise<AdminWebhookEventPageModel> {
    return this.accounts.listEvents(args);
  }

  @Query(() => AdminWebhookStatsModel)
  adminWebhookStats(): Promise<AdminWebhookStatsModel> {
    return this.accounts.webhookStats();
  }

  @Mutation(() => AdminBillingAccountModel, { description: 'Re-sync from Stripe; an account without a customer comes back unchanged.' })
  async adminSyncFromStripe(@CurrentAccount() caller: AuthAccount, @Args() args: AdminBusinessArgs): Promise<AdminBillingAccountModel> {
    return this.accounts.toView(await this.repair.syncFromStripe(operator(caller), args.businessId, args.reason ?? null));
  }

  @Mutation(() => AdminBillingAccountModel, { nullable: true, description: 'Null when the event belongs to no business.' })
  async adminReplayWebhookEvent(
    @CurrentAccount() caller: AuthAccount,
    @Args() args: AdminReplayEventArgs,
  ): Promise<AdminBillingAccountModel | null> {
    const businessId = await this.repair.replayEvent(operator(caller), args.eventId, args.reason ?? null);
    return businessId ? this.accounts.view({ businessId }) : null;
  }

  @Mutation(() => AdminReplayResultModel, {
    description: "Replays one business's dead letters, or every owned one; those of unowned customers only with unowned: true.",
  })
  async adminReplayDeadLetters(
    @CurrentAccount() caller: AuthAccount,
    @Args() args: AdminReplayDeadLettersArgs,
  ): Promise<AdminReplayResultModel> {
    const { eventIds } = await this.repair.replayDeadLetters(
      operator(caller),
      { businessId: args.businessId ?? null, unowned: args.unowned === true },
      args.reason ?? null,
    );
    return { replayed: eventIds.length, eventIds };
  }

  @Mutation(() => AdminBillingAccountModel, { description: 'Comp an account: this plan wins over the subscription until `until`.' })
  async adminGrantPlan(@CurrentAccount() caller: AuthAccount, @Args() args: AdminGrantPlanArgs): Promise<AdminBillingAccountModel> {
    return this.accounts.toView(
      await this.repair.grantPlan(operator(caller), args.businessId, args.planKey, args.until ?? null, args.reason),
    );
  }

  @Mutation(() => AdminBillingAccountModel)
  async adminRevokePlanGrant(
    @CurrentAccount() caller: AuthAccount,
    @Args() args: AdminReasonedBusinessArgs,
  ): Promise<AdminBillingAccountModel> {
    return this.accounts.toView(await this.repair.revokePlanGrant(operator(caller), args.businessId, args.reason));
  }

  @Mutation(() => AdminBillingAccountModel)
  async adminExtendTrial(@CurrentAccount() caller: AuthAccount, @Args() args: AdminExtendTrialArgs): Promise<AdminBillingAccountModel> {
    return this.accounts.toView(await this.repair.extendTrial(operator(caller), args.businessId, args.until, args.reason));
  }

  @Mutation(() => AdminBillingAccountModel, { description: 'Recount COUNT metrics from the product tables.' })
  async adminRecountUsage(@CurrentAccount() caller: AuthAccount, @Args() args: AdminBusinessArgs): Promise<AdminBillingAccountModel> {
    await this.repair.recountUsage(operator(caller), args.businessId, args.reason ?? null);
    return this.accounts.view({ businessId: args.businessId });
  }

  @Mutation(() => AdminBillingAccountModel, { description: 'Mark onboarding done, then grant planKey or sync the plan from Stripe.' })
  async adminCompleteOnboarding(
    @CurrentAccount() caller: AuthAccount,
    @Args() args: AdminCompleteOnboardingArgs,
  ): Promise<AdminBillingAccountModel> {
    return this.accounts.toView(
      await this.repair.completeOnboarding(operator(caller), args.businessId, args.planKey ?? null, args.reason ?? null),
    );
  }

  @ResolveField(() => BillingAccountModel, { description: 'Exactly what the owner sees in the `billing` query.' })
  billing(@Parent() account: AdminBillingAccountModel): Promise<BillingAccountModel> {
    return this.accounts.ownerView(account.businessId);
  }

  @ResolveField(() => [AdminUsageModel], { description: 'Usage against the limits of the plan that applies now.' })
  usage(@Parent() account: AdminBillingAccountModel): Promise<AdminUsageModel[]> {
    return this.accounts.usage(account.businessId);
  }

  @ResolveField(() => [AdminSyncLogEntryModel], { description: 'billingSyncStatus history, newest first.' })
  syncHistory(@Parent() account: AdminBillingAccountModel, @Args() { first }: FirstArgs): Promise<AdminSyncLogEntryModel[]> {
    return this.accounts.syncHistory(account.businessId, first);
  }

  @ResolveField(() => [AdminWebhookEventModel], { description: 'Webhook events of this account, newest first.' })
  webhookEvents(@Parent() account: AdminBillingAccountModel, @Args() { first }: FirstArgs): Promise<AdminWebhookEventModel[]> {
    return this.accounts.accountEvents(account, first);
  }

  @ResolveField(() => [AdminWebhookEventModel], { description: 'Dead letters of this account, newest first.' })
  deadLetters(@Parent() account: AdminBillingAccountModel, @Args() { first }: FirstArgs): Promise<AdminWebhookEventModel[]> {
    return this.accounts.accountEvents(account, first, DEAD_LETTER_STATUSES);
  }

  @ResolveField(() => [AdminAuditEntryModel], { description: 'Admin and operator changes of this account, newest first.' })
  auditLog(@Parent() account: AdminBillingAccountModel, @Args() { first }: FirstArgs): Promise<AdminAuditEntryModel[]> {
    return this.accounts.auditLog(account.businessId, first);
  }
}
