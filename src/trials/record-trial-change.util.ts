import type { EntityManager } from 'typeorm';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import type { BillingSyncSource } from '../billing/billing-sync-log.entity.js';
import { BillingSyncLogEntity } from '../billing/billing-sync-log.entity.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import type { TrialChange } from '../billing/derive-account-billing.util.js';
import { TrialDomainEventName, type TrialDomainEvent, type TrialLogStatus, type TrialSource } from './trial.types.js';
import { trialColumns } from './trial-columns.util.js';
import { CLAIM_TRIAL_WILL_END } from './trials.sql.js';

/**
 * The domain event of each logged transition. An extension has none: the admin who made it
 * tells the customer, and the reopened period's own trial.will_end and trial.expired follow.
 */
const EVENT_OF: Record<TrialLogStatus, TrialDomainEventName | null> = {
  trial_started: TrialDomainEventName.STARTED,
  trial_converted: TrialDomainEventName.CONVERTED,
  trial_expired: TrialDomainEventName.EXPIRED,
  trial_extended: null,
};

/** What recordTrialChange writes: the transition, who made it (log source) and when. */
export interface TrialChangeRecord {
  businessId: string;
  change: TrialChange;
  source: BillingSyncSource;
  at: Date;
  detail?: Record<string, unknown>;
}

/**
 * Writes the billing_sync_log row of a trial transition inside the caller's transaction and
 * returns the domain event to publish once that transaction commits (null for one that has
 * none). The caller also invalidates entitlements in the same transaction.
 */
export async function recordTrialChange(manager: EntityManager, input: TrialChangeRecord): Promise<TrialDomainEvent | null> {
  const { trial, logStatus } = input.change;
  await manager.insert(BillingSyncLogEntity, {
    businessId: input.businessId,
    status: logStatus,
    source: input.source,
    // Trial rows name no Stripe event: one row per event is what the webhook history counts.
    eventId: null,
    detail: {
      trialSource: trial.source,
      planKey: trial.planKey,
      startDate: trial.startDate,
      endDate: trial.endDate,
      conversionDate: trial.conversionDate,
      ...input.detail,
    },
  });
  const name = EVENT_OF[logStatus];
  if (!name) return null;
  return {
    name,
    businessId: input.businessId,
    planKey: trial.planKey,
    source: trial.source,
    startDate: trial.startDate,
    endDate: trial.endDate,
    at: input.at,
  };
}

/**
 * Writes a trial change made here rather than by a sync (startTrial, an admin's extension): the
 * account's trial columns, billingSyncStatus and the log row, in the caller's transaction (which
 * also invalidates entitlements). Both open a new trial period, so the reminder marker is
 * cleared: that period gets its own trial.will_end.
 */
export async function saveTrialChange(manager: EntityManager, input: TrialChangeRecord): Promise<TrialDomainEvent | null> {
  const { trial, logStatus } = input.change;
  await manager.update(BillingAccountEntity, { businessId: input.businessId }, {
    ...trialColumns(trial),
    trialWillEndSentAt: null,
    billingSyncStatus: logStatus,
  });
  return recordTrialChange(manager, input);
}

/**
 * Marks the running trial's reminder as sent and returns the trial.will_end event, or null when
 * it went out before (Stripe repeats trial_will_end; the job runs every minute): once per trial.
 */
export async function claimTrialWillEnd(manager: EntityManager, businessId: string, at: Date): Promise<TrialDomainEvent | null> {
  const [rows]: [TrialRow[], number] = await manager.query(CLAIM_TRIAL_WILL_END, [businessId, at]);
  return rows.length > 0 ? trialEventOfRow(rows[0], TrialDomainEventName.WILL_END, at) : null;
}

/** The trial columns an event is built from, as SQL returns them. */
export interface TrialRow {
  business_id: string;
  trial_plan_key: string | null;
  trial_source: TrialSource;
  trial_started_at: Date | null;
  trial_ends_at: Date | null;
}

export function trialEventOfRow(row: TrialRow, name: TrialDomainEventName, at: Date): TrialDomainEvent {
  return {
    name,
    businessId: row.business_id,
    planKey: row.trial_plan_key,
    source: row.trial_source,
    startDate: row.trial_started_at,
    endDate: row.trial_ends_at,
    at,
  };
}

/**
 * What a billing sync records about the trial, in its transaction: the transition's log row, and
 * Stripe's trial_will_end (among the synced events) as trial.will_end, once per trial.
 */
export async function recordSyncedTrial(
  manager: EntityManager,
  businessId: string,
  change: TrialChange | null,
  sync: { source: BillingSyncSource; entries: { eventId: string | null; status: string }[] },
  now: Date,
): Promise<TrialDomainEvent[]> {
  const events: TrialDomainEvent[] = [];
  const eventIds = sync.entries.map((entry) => entry.eventId).filter((id) => id !== null);
  if (change) {
    const event = await recordTrialChange(manager, { businessId, change, source: sync.source, at: now, detail: { eventIds } });
    if (event) events.push(event);
  }
  if (sync.entries.some((entry) => entry.status === BillingSyncStatus.WEBHOOK_TRIAL_WILL_END)) {
    const willEnd = await claimTrialWillEnd(manager, businessId, now);
    if (willEnd) events.push(willEnd);
  }
  return events;
}
