// Every migration, in order. A unit test fails when a file in this folder is missing here.
import { InitialSchema1795219765987 } from './1795219765987-InitialSchema.js';
import { StripeWebhooks1795220674743 } from './1795220674743-StripeWebhooks.js';
import { PlanEnforcement1795222000000 } from './1795222000000-PlanEnforcement.js';
import { OwnerBillingApi1796100000000 } from './1796100000000-OwnerBillingApi.js';
import { Trials1796200000000 } from './1796200000000-Trials.js';
import { AdminAudit1796300000000 } from './1796300000000-AdminAudit.js';
import { UsageWindows1796400000000 } from './1796400000000-UsageWindows.js';
import { WebhookRetryWindowAndOutbox1796500000000 } from './1796500000000-WebhookRetryWindowAndOutbox.js';
import { WebhookIntakeWakeup1796700000000 } from './1796700000000-WebhookIntakeWakeup.js';
import { WebhookFailureKindSince1796810000000 } from './1796810000000-WebhookFailureKindSince.js';
import { UsageWindowCarry1796820000000 } from './1796820000000-UsageWindowCarry.js';
import { DomainEventLease1796830000000 } from './1796830000000-DomainEventLease.js';
import { OwnerBillingClaims1796843000000 } from './1796843000000-OwnerBillingClaims.js';
import { DomainEventLeaseToken1796851000000 } from './1796851000000-DomainEventLeaseToken.js';
import { IdempotencyAttemptStartedAt1796860000000 } from './1796860000000-IdempotencyAttemptStartedAt.js';

export const MIGRATIONS = [
  InitialSchema1795219765987,
  StripeWebhooks1795220674743,
  PlanEnforcement1795222000000,
  OwnerBillingApi1796100000000,
  Trials1796200000000,
  AdminAudit1796300000000,
  UsageWindows1796400000000,
  WebhookRetryWindowAndOutbox1796500000000,
  WebhookIntakeWakeup1796700000000,
  WebhookFailureKindSince1796810000000,
  UsageWindowCarry1796820000000,
  DomainEventLease1796830000000,
  OwnerBillingClaims1796843000000,
  DomainEventLeaseToken1796851000000,
  IdempotencyAttemptStartedAt1796860000000,
];
