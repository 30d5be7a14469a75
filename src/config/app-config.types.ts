import type { LogLevel, NodeEnv } from './environment-variables.js';

/**
 * The validated configuration; built once at boot by `loadConfig`, read through AppConfigService.
 * Plain environment variables are declared here; a feature module that validates its own part
 * (plans: the catalog and price ids; enforcement: PLAN_VALIDATION_BYPASS) adds its fields by
 * declaration merging beside its ConfigSection, so config/ imports no feature module.
 */
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
    /** A failing event is retried this long (from its first failure), then dead. */
    retryWindowMs: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    /** Stripe unreachable this long: the emergency fallback applies event bodies. */
    fallbackAfterMs: number;
    /** Events of a customer no business owns are parked as unowned after this long. */
    unownedAfterMs: number;
    pollIntervalMs: number;
    /** Customers one instance's worker processes at once (each under its own advisory lock). */
    workerConcurrency: number;
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
    /** The address METRICS_PORT listens on; undefined: every interface. */
    host: string | undefined;
    /** Opens /metrics on the main port to `Authorization: Bearer <token>`. */
    token: string | undefined;
  };
  /** Oldest pending webhook event age (s) past which /health/billing is degraded. */
  webhookBacklogAlertSeconds: number;
  graphql: { maxDepth: number; maxComplexity: number };
  rateLimit: { windowSeconds: number; maxRequests: number; maxAuthFailures: number };
}

/** What a feature module's ConfigSection learns about the boot. */
export interface ConfigSectionContext {
  cwd: string;
  isProduction: boolean;
  developmentInfrastructure: boolean;
  /** Why development conveniences are refused ("DATABASE_URL points at real infrastructure"), else undefined. */
  refusedBecause: string | undefined;
}

export interface ConfigSectionResult {
  values: Partial<AppConfig>;
  errors: string[];
  warnings: string[];
}

/**
 * A feature module's own validation of the environment, run by loadConfig after the plain
 * variables, in order; `earlier` holds what previous sections produced (e.g. the catalog).
 */
export type ConfigSection = (
  env: Record<string, string | undefined>,
  context: ConfigSectionContext,
  earlier: Partial<AppConfig>,
) => ConfigSectionResult;
