import { AdminAuditLogEntity } from '../admin/admin-audit-log.entity.js';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import { BillingSyncLogEntity } from '../billing/billing-sync-log.entity.js';
import { CampaignEntity } from '../campaigns/campaign.entity.js';
import { CreatorSearchEntity } from '../creator-searches/creator-search.entity.js';
import { DomainEventEntity } from '../domain-events/domain-event.entity.js';
import { UsageCounterEntity } from '../enforcement/usage-counter.entity.js';
import { SubscriptionEntity } from '../billing/subscription.entity.js';
import { PlanEntity } from '../plans/plan.entity.js';
import { StripeEventEntity } from '../webhooks/stripe-event.entity.js';

/** Every TypeORM entity, listed explicitly so the app, the CLI and tests load the same set. */
export const ENTITIES = [
  PlanEntity,
  BillingAccountEntity,
  BillingSyncLogEntity,
  SubscriptionEntity,
  StripeEventEntity,
  UsageCounterEntity,
  CampaignEntity,
  CreatorSearchEntity,
  DomainEventEntity,
  AdminAuditLogEntity,
];
