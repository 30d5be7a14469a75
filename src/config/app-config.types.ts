import type { PlanCatalog, PlanPriceIds } from '../plans/plan-catalog.types.js';
import type { LogLevel, NodeEnv } from './environment-variables.js';

export type PlanBypass = 'all' | string[];

/** The validated configuration; built once at boot by `loadConfig`, read through AppConfigService. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  /**
   * True when nothing points at real infrastructure (no DATABASE_URL, no Stripe key used
   * against Stripe) and NODE_ENV is not production: only then are development conveniences on.
   */
  developmentInfrastructure: boolean;
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
    /** Longest accepted token lifetime (exp - iat), in seconds. */
    maxTokenAgeSeconds: number;
  };
  stripe: {
    secretKey: string | undefined;
    webhookSecrets: string[];
    apiBase: string | undefined;
    /** Where npm start runs the local simulator when no key is set (never in production). */
    simulatorPort: number;
  };
  webhooks: {
    workerEnabled: boolean;
    maxAttempts: number;
    retryBaseMs: number;
    pollIntervalMs: number;
    toleranceSeconds: number;
  };
  pastDueGraceDays: number;
  catalogPath: string;
  catalog: PlanCatalog;
  priceIds: PlanPriceIds;
  graphql: { maxDepth: number; maxComplexity: number };
  rateLimit: { windowSeconds: number; maxRequests: number; maxAuthFailures: number };
  enforcement: {
    /**
     * Plan limits not enforced (usage is still counted): 'all' (features too) or metric keys.
     * Always [] off development infrastructure, where PLAN_VALIDATION_BYPASS is refused at boot.
     */
    bypass: PlanBypass;
  };
}
