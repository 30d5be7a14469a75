import type { DomainEventRecord } from '../domain-events/domain-events.service.js';
import type { TrialDomainEvent } from './trial.types.js';

/**
 * A trial event as an outbox row. Keyed by the trial (business, source, start), so each of a
 * trial's events is stored once whatever retries, replays or overlapping runs record it again.
 */
export function trialEventRecord(event: TrialDomainEvent): DomainEventRecord {
  return {
    name: event.name,
    businessId: event.businessId,
    key: `${event.businessId}:${event.source}:${event.startDate?.toISOString() ?? 'none'}`,
    payload: { ...event },
  };
}
