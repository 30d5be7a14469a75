const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A Stripe API base on this machine over http: the local simulator, never Stripe itself. */
export function isSimulatorApiBase(apiBase: string | undefined): boolean {
  if (!apiBase) return false;
  try {
    const url = new URL(apiBase);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * The variables that point this process at real infrastructure: a DATABASE_URL (development
 * runs the embedded PostgreSQL, which main.ts and the tests start without one) and a Stripe key
 * used against Stripe rather than the local simulator. Development conveniences (the public JWT
 * secret, PLAN_VALIDATION_BYPASS, the x-plan-bypass header, the in-process simulator) are only
 * allowed while this list is empty, whatever NODE_ENV says: a deployment that forgets
 * NODE_ENV=production is still closed.
 */
export function realInfrastructureVariables(env: {
  DATABASE_URL?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_API_BASE?: string;
}): ('DATABASE_URL' | 'STRIPE_SECRET_KEY')[] {
  const real: ('DATABASE_URL' | 'STRIPE_SECRET_KEY')[] = [];
  if (env.DATABASE_URL) real.push('DATABASE_URL');
  if (env.STRIPE_SECRET_KEY && !isSimulatorApiBase(env.STRIPE_API_BASE)) real.push('STRIPE_SECRET_KEY');
  return real;
}

/** "DATABASE_URL is set" / "DATABASE_URL and STRIPE_SECRET_KEY are set", for boot errors. */
export function describeRealInfrastructure(real: string[], isProduction: boolean): string {
  if (real.length === 0) return isProduction ? 'NODE_ENV is production' : 'development infrastructure';
  return `${real.join(' and ')} ${real.length === 1 ? 'points' : 'point'} at real infrastructure`;
}
