import type { JWTPayload } from 'jose';

/**
 * Why a verified token's lifetime is refused, or undefined when it is fine. A token must carry
 * `exp`; its lifetime is `exp - iat` (or `exp - now` without `iat`, so a missing `iat` cannot
 * hide a year-long token) and may not exceed `maxAgeSeconds` (AUTH_MAX_TOKEN_AGE).
 */
export function checkTokenLifetime(claims: JWTPayload, nowSeconds: number, maxAgeSeconds: number): string | undefined {
  if (typeof claims.exp !== 'number') return 'token has no exp claim';
  const issuedAt = typeof claims.iat === 'number' ? Math.min(claims.iat, nowSeconds) : nowSeconds;
  const lifetime = claims.exp - issuedAt;
  if (lifetime > maxAgeSeconds) {
    return `token lifetime of ${lifetime} s exceeds the ${maxAgeSeconds} s allowed (AUTH_MAX_TOKEN_AGE)`;
  }
  return undefined;
}
