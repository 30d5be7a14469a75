import { describe, expect, it } from '@jest/globals';
import { trialEventRecord } from './trial-event-record.util.js';
import { TrialDomainEventName, type TrialDomainEvent } from './trial.types.js';

const event = (overrides: Partial<TrialDomainEvent> = {}): TrialDomainEvent => ({
  name: TrialDomainEventName.EXPIRED,
  businessId: 'biz_1',
  planKey: 'glow_up',
  source: 'app',
  startDate: new Date('2026-11-01T00:00:00Z'),
  endDate: new Date('2026-11-15T00:00:00Z'),
  at: new Date('2026-11-15T00:00:05Z'),
  ...overrides,
});

describe('trialEventRecord', () => {
  it('keys an event by its trial, not by when it was recorded', () => {
    expect(trialEventRecord(event()).key).toBe(trialEventRecord(event({ at: new Date('2026-11-16T00:00:00Z') })).key);
  });

  it('gives another trial of the business another key', () => {
    const later = event({ source: 'stripe', startDate: new Date('2027-01-01T00:00:00Z') });
    expect(trialEventRecord(later).key).not.toBe(trialEventRecord(event()).key);
  });

  it('gives each period of a reopened (extended) trial its own key, so its second expiry is stored too', () => {
    const reopened = event({ endDate: new Date('2026-11-30T00:00:00Z'), at: new Date('2026-11-30T00:00:05Z') });
    expect(trialEventRecord(reopened).key).not.toBe(trialEventRecord(event()).key);
  });

  it('carries the event name and business, and the whole event as payload', () => {
    const record = trialEventRecord(event());
    expect(record).toMatchObject({ name: 'trial.expired', businessId: 'biz_1', payload: { name: 'trial.expired', planKey: 'glow_up' } });
  });
});
