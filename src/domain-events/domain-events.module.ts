import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventEntity } from './domain-event.entity.js';
import { DomainEventsRelayService } from './domain-events-relay.service.js';
import { DomainEventsService } from './domain-events.service.js';

/**
 * Global: any module that changes state records its domain events through DomainEventsService.
 * The relay (which emits them to this process's listeners) runs only where the host app listens:
 * the service, never the operator CLI, which would mark events dispatched that nobody heard.
 */
@Global()
@Module({})
export class DomainEventsModule {
  static forRoot(options: { relay: boolean }): DynamicModule {
    const providers = options.relay ? [DomainEventsService, DomainEventsRelayService] : [DomainEventsService];
    return {
      module: DomainEventsModule,
      imports: [TypeOrmModule.forFeature([DomainEventEntity])],
      providers,
      exports: providers,
    };
  }
}
