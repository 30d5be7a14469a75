import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminCoreModule } from '../admin/admin-core.module.js';
import { AuthService } from '../auth/auth.service.js';
import { ClockModule } from '../clock/clock.module.js';
import type { AppConfig } from '../config/app-config.types.js';
import { ConfigModule } from '../config/config.module.js';
import { buildTypeOrmModuleOptions } from '../database/data-source-options.js';
import { runMigrationsLocked } from '../database/run-migrations.util.js';
import { DomainEventsModule } from '../domain-events/domain-events.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { ActivatePlanCommand } from './activate-plan.command.js';
import { CompleteOnboardingCommand } from './complete-onboarding.command.js';
import { ExpireTrialsCommand } from './expire-trials.command.js';
import { FixUserBillingStateCommand } from './fix-user-billing-state.command.js';
import { InspectUserStateCommand } from './inspect-user-state.command.js';
import { ReplayEventCommand } from './replay-event.command.js';
import { SyncStripeCommand } from './sync-stripe.command.js';
import { TokenCommand } from './token.command.js';
import { VerifyEntitlementsCommand } from './verify-entitlements.command.js';

/** Commands that need the database; add a new one here (its module's services in DATABASE_IMPORTS). */
export const DATABASE_COMMANDS: Provider[] = [
  InspectUserStateCommand,
  SyncStripeCommand,
  VerifyEntitlementsCommand,
  ActivatePlanCommand,
  CompleteOnboardingCommand,
  FixUserBillingStateCommand,
  ReplayEventCommand,
  ExpireTrialsCommand,
];

/** The service modules DATABASE_COMMANDS use. */
export const DATABASE_IMPORTS = [AdminCoreModule, TrialsModule];

@Module({})
export class CliModule {
  /** Without `config.databaseUrl` only the commands that need no database (token) exist. */
  static forRoot(config: AppConfig): DynamicModule {
    const databaseUrl = config.databaseUrl;
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        // AuthService (the token command) reads the Clock too, database or not.
        ClockModule,
        ...(databaseUrl
          ? [
              TypeOrmModule.forRootAsync({
                useFactory: () => buildTypeOrmModuleOptions(databaseUrl, 4),
                // The same migrations as the service, so a command never meets an older schema.
                dataSourceFactory: async (options) => {
                  const dataSource = await new DataSource(options!).initialize();
                  await runMigrationsLocked(dataSource);
                  return dataSource;
                },
              }),
              EventEmitterModule.forRoot(),
              // Jobs register nothing here (openCliDatabase turns them off); the registry must exist.
              ScheduleModule.forRoot(),
              DomainEventsModule.forRoot({ relay: false }),
              MetricsModule.forRoot({ serve: false }),
              ...DATABASE_IMPORTS,
            ]
          : []),
      ],
      providers: [AuthService, TokenCommand, ...(databaseUrl ? DATABASE_COMMANDS : [])],
    };
  }
}

/** The database commands' names and descriptions, for the top-level help (which opens no database). */
export function databaseCommandsHelp(): string {
  const lines = DATABASE_COMMANDS.map((command) => {
    const meta = Reflect.getMetadata('CommandBuilder:Command:Meta', command) as { name: string; arguments?: string; description?: string };
    return `  ${[meta.name, meta.arguments].filter(Boolean).join(' ')}\n      ${meta.description ?? ''}`;
  });
  return `\nCommands that use the database (DATABASE_URL, else the embedded PostgreSQL; <command> --help for options):\n${lines.join('\n')}\n`;
}
