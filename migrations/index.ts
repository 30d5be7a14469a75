// Every migration, in order. A unit test fails when a file in this folder is missing here.
import { InitialSchema1795219765987 } from './1795219765987-InitialSchema.js';
import { StripeWebhooks1795220674743 } from './1795220674743-StripeWebhooks.js';
import { PlanEnforcement1795222000000 } from './1795222000000-PlanEnforcement.js';
import { WebhookIntakeWakeup1796700000000 } from './1796700000000-WebhookIntakeWakeup.js';

export const MIGRATIONS = [InitialSchema1795219765987, StripeWebhooks1795220674743, PlanEnforcement1795222000000, WebhookIntakeWakeup1796700000000];
