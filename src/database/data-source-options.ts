import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

/**
 * Connection, pool and migrations; no entities. Each feature module registers its own with
 * `TypeOrmModule.forFeature` (the Nest roots load them through `autoLoadEntities`), and the TypeORM
 * CLI finds them by glob (ormconfig.ts), so this folder never imports a feature module.
 */
export function buildDataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    // Schema changes go through reviewed migrations only.
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, application_name: 'billing-service' },
  };
}

/**
 * The Nest TypeORM root (the service and the CLI). Nest hands the entities of every imported
 * module's `forFeature` to the root's `dataSourceFactory` in `options.entities`.
 */
export function buildTypeOrmModuleOptions(url: string, poolSize = 10): TypeOrmModuleOptions {
  return { ...buildDataSourceOptions(url, poolSize), autoLoadEntities: true };
}
