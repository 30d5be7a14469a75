import type { PlanCatalog, PlanPriceIds } from '../plans/plan-catalog.types.js';
import type { LogLevel, NodeEnv } from './environment-variables.js';

export type PlanBypass = 'all' | string[];

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
    /** Where npm start runs the local simulator when no key is set (never in production). */
    simulatorPort: number;
  };
  webhooks: {
    workerEnabled: boolean;
    /** A failing event is retried this long (from its first failure), then dead. */
    retryWindowMs: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    /** Stripe unreachable this long: the emergency fallback applies event bodies. */
    fallbackAfterMs: number;
    /** Events of a customer no business owns are parked as unowned after this long. */
    unownedAfterMs: number;
    pollIntervalMs: number;
    toleranceSeconds: number;
  };
  pastDueGraceDays: number;
  /** Staleness bounds of per-instance caches kept fresh by LISTEN/NOTIFY. */
  cache: { entitlementsTtlMs: number; listenerHeartbeatMs: number };
  billing: {
    /** Front-end base URL (no trailing slash): Checkout's cancel URL and the portal return lead here. */
    appUrl: string;
    /** This service's public base URL (no trailing slash): Checkout's success URL hits its return route. */
    publicUrl: string;
    /** Billing settings page under appUrl, e.g. /settings/billing. */
    returnPath: string;
  };
  trials: {
    /** Cron expression of the expiry job. */
    expiryCron: string;
    expiryEnabled: boolean;
    /** Trials per batch (one transaction each). */
    expiryBatch: number;
  };
  catalogPath: string;
  catalog: PlanCatalog;
  priceIds: PlanPriceIds;
  graphql: { maxDepth: number; maxComplexity: number };
  enforcement: {
    /**
     * Plan limits not enforced (usage is still counted): 'all' (features too) or metric keys.
     * Always [] in production, where PLAN_VALIDATION_BYPASS and the x-plan-bypass header are ignored.
     */
    bypass: PlanBypass;
  };
  /** GET /billing, the tour's billing page: on outside production unless BILLING_PAGE_ENABLED says otherwise. */
  billingPage: { enabled: boolean };
  reconcile: {
    /** Null when RECONCILE_CRON=off. */
    cron: string | null;
    maxRps: number;
  };
  metrics: {
    /** A separate port serving /metrics unauthenticated; never the main port. */
    port: number | undefined;
    /** Opens /metrics on the main port to `Authorization: Bearer <token>`. */
    token: string | undefined;
  };
  /** Oldest pending webhook event age (s) past which /health/billing is degraded. */
  webhookBacklogAlertSeconds: number;
}
