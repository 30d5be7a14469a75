import { createHash } from 'node:crypto';
import { bearerToken } from '../auth/bearer-token.util.js';

/**
 * Whom a request is counted against: its token once that token was verified (each signed-in
 * client gets its own budget, even behind one NAT), else its IP. Only a verified token earns a
 * budget of its own: forging one costs nothing, so a token that fails verification counts against
 * the IP like no token at all (on public routes too: the middleware verifies every bearer). The token is hashed so the
 * limiter's storage never holds a credential.
 */
export function rateLimitTracker(verifiedToken: string | undefined, ip: string | undefined): string {
  if (verifiedToken) return `token:${createHash('sha256').update(verifiedToken).digest('hex').slice(0, 32)}`;
  return `ip:${ip ?? 'unknown'}`;
}

/** The tracker of a request: verifies its bearer token (any failure means "count the IP"). */
export async function resolveRateLimitTracker(
  authorization: string | string[] | undefined,
  ip: string | undefined,
  verify: (token: string) => Promise<unknown>,
): Promise<string> {
  const token = bearerToken(authorization);
  if (token === undefined) return rateLimitTracker(undefined, ip);
  const verified = await verify(token).then(
    () => true,
    () => false,
  );
  return rateLimitTracker(verified ? token : undefined, ip);
}
