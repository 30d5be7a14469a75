import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import { BillingSyncLogEntity } from '../billing/billing-sync-log.entity.js';
import { PlanEntity } from '../plans/plan.entity.js';

/** Every TypeORM entity, listed explicitly so the app, the CLI and tests load the same set. */
export const ENTITIES = [PlanEntity, BillingAccountEntity, BillingSyncLogEntity];
