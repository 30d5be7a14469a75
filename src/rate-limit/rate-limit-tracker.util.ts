import { bearerToken } from '../auth/bearer-token.util.js';

/**
 * Whom a request is counted against: the user its token names once that token was verified
 * (each signed-in user gets one budget, even behind one NAT, and however many tokens the
 * identity provider hands out), else its IP. Only a verified token earns a budget of its own:
 * forging one costs nothing, so a token that fails verification counts against the IP like no
 * token at all (on public routes too: the middleware verifies every bearer).
 */
export function rateLimitTracker(verifiedUserId: string | undefined, ip: string | undefined): string {
  if (verifiedUserId !== undefined) return `user:${verifiedUserId}`;
  return `ip:${ip ?? 'unknown'}`;
}

/** The tracker of a request: verifies its bearer token (any failure means "count the IP"). */
export async function resolveRateLimitTracker(
  authorization: string | string[] | undefined,
  ip: string | undefined,
  verify: (token: string) => Promise<{ userId: string }>,
): Promise<string> {
  const token = bearerToken(authorization);
  if (token === undefined) return rateLimitTracker(undefined, ip);
  const userId = await verify(token).then(
    (account) => account.userId,
    () => undefined,
  );
  return rateLimitTracker(userId, ip);
}
