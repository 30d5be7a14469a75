import type { DomainEventRecord } from '../domain-events/domain-events.service.js';
import type { TrialDomainEvent } from './trial.types.js';

/**
 * A trial event as an outbox row. Keyed by the trial period (business, source, start, end), so
 * each of a period's events is stored once whatever retries, replays or overlapping runs record
 * it again, while a trial an admin extended (a new end: see transitionTrial's `extend`) gets its
 * own trial.will_end and trial.expired.
 */
export function trialEventRecord(event: TrialDomainEvent): DomainEventRecord {
  return {
    name: event.name,
    businessId: event.businessId,
    key: `${event.businessId}:${event.source}:${event.startDate?.toISOString() ?? 'none'}:${event.endDate?.toISOString() ?? 'none'}`,
    payload: { ...event },
  };
}
