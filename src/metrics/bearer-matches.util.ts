import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../auth/bearer-token.util.js';

/**
 * Whether an Authorization header is `Bearer <token>` for exactly this token. Both sides are
 * hashed first, so the comparison takes the same time whatever the given token's length or
 * content (timingSafeEqual alone needs equal lengths, and checking the length first would leak it).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = bearerToken(header);
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
