import { Global, Module } from '@nestjs/common';
import { DomainEventsRelayService } from './domain-events-relay.service.js';
import { DomainEventsService } from './domain-events.service.js';

/** Global: any module that changes state records its domain events through DomainEventsService. */
@Global()
@Module({
  providers: [DomainEventsService, DomainEventsRelayService],
  exports: [DomainEventsService, DomainEventsRelayService],
})
export class DomainEventsModule {}
