import { createHash } from 'node:crypto';

/**
 * Whom a request is counted against: its bearer token when it has one (each signed-in client
 * gets its own budget, even behind one NAT), else its IP. The token is hashed so the limiter's
 * storage never holds a credential. Forged tokens are cheap, so failed authentications are also
 * limited per IP (AuthFailureLimiter).
 */
export function rateLimitTracker(authorization: string | string[] | undefined, ip: string | undefined): string {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match) return `token:${createHash('sha256').update(match[1]).digest('hex').slice(0, 32)}`;
  return `ip:${ip ?? 'unknown'}`;
}
