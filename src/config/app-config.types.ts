import type { PlanCatalog, PlanPriceIds } from '../plans/plan-catalog.types.js';
import type { LogLevel, NodeEnv } from './environment-variables.js';

/** The validated configuration; built once at boot by `loadConfig`, read through AppConfigService. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  /** Unset outside production until the embedded PostgreSQL has started. */
  databaseUrl: string | undefined;
  embeddedPostgres: { dir: string; port: number };
  logLevel: LogLevel;
  auth: {
    jwtSecret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    /** True when the development fallback secret is in use (never in production). */
    usingDevelopmentSecret: boolean;
  };
  stripe: {
    secretKey: string | undefined;
    webhookSecrets: string[];
    apiBase: string | undefined;
  };
  catalogPath: string;
  catalog: PlanCatalog;
  priceIds: PlanPriceIds;
  graphql: { maxDepth: number; maxComplexity: number };
}
