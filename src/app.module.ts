import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { GraphQLModule } from '@nestjs/graphql';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BillingModule } from './billing/billing.module.js';
import { BillingPageModule } from './billing-page/billing-page.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { ClockModule } from './clock/clock.module.js';
import { AppExceptionFilter } from './common/filters/app-exception.filter.js';
import { buildLoggerOptions } from './common/logging/logger-options.factory.js';
import { createAppValidationPipe } from './common/pipes/app-validation.pipe.js';
import type { AppConfig } from './config/app-config.types.js';
import { ConfigModule } from './config/config.module.js';
import { CreatorSearchesModule } from './creator-searches/creator-searches.module.js';
import { DomainEventsModule } from './domain-events/domain-events.module.js';
import { buildTypeOrmModuleOptions } from './database/data-source-options.js';
import { guardPoolErrors } from './database/guard-pool-errors.util.js';
import { runMigrationsLocked } from './database/run-migrations.util.js';
import { EnforcementModule } from './enforcement/enforcement.module.js';
import { EntitlementsModule } from './entitlements/entitlements.module.js';
import { buildGraphqlOptions } from './graphql/graphql-options.factory.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PlansModule } from './plans/plans.module.js';
import { TrialsModule } from './trials/trials.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  /** The whole service for one validated configuration (main.ts, the CLI and tests build it alike). */
  static forRoot(config: AppConfig): DynamicModule {
    const databaseUrl = config.databaseUrl;
    if (!databaseUrl) throw new Error('AppModule needs config.databaseUrl (start the embedded PostgreSQL first)');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggerModule.forRoot(buildLoggerOptions(config)),
        TypeOrmModule.forRootAsync({
          useFactory: () => buildTypeOrmModuleOptions(databaseUrl),
          // Migrations run before any module touches a table. `options.entities` holds every imported
          // module's TypeOrmModule.forFeature entities (autoLoadEntities).
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            guardPoolErrors(dataSource, new Logger('Database'));
            const ran = await runMigrationsLocked(dataSource);
            new Logger('Database').log(
              { migrations: ran },
              ran.length > 0 ? `migrations ran: ${ran.join(', ')}` : 'migrations ran: schema already up to date',
            );
            return dataSource;
          },
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...buildGraphqlOptions(config) }),
        EventEmitterModule.forRoot(),
        DomainEventsModule.forRoot({ relay: true }),
        ScheduleModule.forRoot(),
        MetricsModule.forRoot({ serve: true }),
        HealthModule,
        // Before AuthModule: its global guard then runs first, so floods are cut before token checks.
        RateLimitModule,
        AuthModule,
        PlansModule,
        BillingModule,
        EntitlementsModule,
        EnforcementModule,
        CampaignsModule,
        CreatorSearchesModule,
        WebhooksModule,
        BillingPageModule.register({ enabled: config.billingPage.enabled }),
        TrialsModule,
        AdminModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppExceptionFilter },
        { provide: APP_PIPE, useFactory: createAppValidationPipe },
      ],
    };
  }
}
