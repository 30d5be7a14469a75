import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEventsService } from '../domain-events/domain-events.service.js';
import { trialEventRecord } from './trial-event-record.util.js';
import type { TrialDomainEvent } from './trial.types.js';

/**
 * The one way trial domain events leave the service (trial.started, trial.converted,
 * trial.expired, trial.will_end): written to the outbox in the transaction of the change, so an
 * event exists if and only if its change committed; the relay emits it after commit.
 */
@Injectable()
export class TrialEventsService {
  constructor(private readonly domainEvents: DomainEventsService) {}

  async record(manager: EntityManager, events: readonly TrialDomainEvent[]): Promise<void> {
    await this.domainEvents.recordMany(manager, events.map(trialEventRecord));
  }
}
