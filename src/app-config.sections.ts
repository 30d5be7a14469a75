import type { ConfigSection } from './config/app-config.types.js';
import { type ConfigResult, loadConfig, type RawEnvironment } from './config/load-config.js';
import { enforcementConfigSection } from './enforcement/enforcement-config.util.js';
import { planConfigSection } from './plans/plan-config.util.js';

/**
 * Each feature module's own configuration checks, in order (enforcement needs the plans'
 * catalog). Composed here, above the modules, so config/ imports none of them.
 */
export const CONFIG_SECTIONS: readonly ConfigSection[] = [planConfigSection, enforcementConfigSection];

/** The service's configuration: plain variables (config/) and every module's part, all errors at once. */
export function loadAppConfig(env: RawEnvironment, cwd = process.cwd()): ConfigResult {
  return loadConfig(env, cwd, CONFIG_SECTIONS);
}
