import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import type { AccountRole, AuthAccount } from './auth-account.types.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { parseClaims } from './parse-claims.util.js';
import { checkTokenLifetime } from './token-lifetime.util.js';
import { parseDurationSeconds } from '../common/utils/parse-duration.util.js';

export interface TokenRequest {
  userId: string;
  businessId?: string;
  role?: AccountRole;
  admin?: boolean;
  email?: string;
  expiresIn?: string;
}

@Injectable()
export class AuthService {
  private readonly secret: Uint8Array | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly verifiedByRequest = new WeakMap<object, { token: string; result: Promise<AuthAccount> }>();

  constructor(
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {
    const { jwtSecret, jwksUrl } = config.values.auth;
    this.secret = jwtSecret ? new TextEncoder().encode(jwtSecret) : undefined;
    this.jwks = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl)) : undefined;
  }

  /**
   * verify, once per HTTP request: the rate limiter (which gives a verified token its own budget)
   * and the auth guard (once per GraphQL root field) need the same answer. Keyed by the request
   * object, so the memo goes with the request.
   */
  verifyForRequest(request: object, token: string): Promise<AuthAccount> {
    const memo = this.verifiedByRequest.get(request);
    if (memo?.token === token) return memo.result;
    const result = this.verify(token);
    this.verifiedByRequest.set(request, { token, result });
    return result;
  }

  async verify(token: string): Promise<AuthAccount> {
    const { issuer, audience, maxTokenAgeSeconds } = this.config.values.auth;
    const now = this.clock.now();
    const options = { issuer, audience, clockTolerance: 5, currentDate: now, requiredClaims: ['exp'] };
    let payload;
    try {
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload
        : (await jwtVerify(token, this.requireSecret(), { ...options, algorithms: ['HS256'] })).payload;
    } catch (error) {
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, describeJoseError(error));
    }
    const lifetimeError = checkTokenLifetime(payload, Math.floor(now.getTime() / 1000), maxTokenAgeSeconds);
    if (lifetimeError) throw new AuthException(AuthErrorCode.UNAUTHENTICATED, `Invalid token: ${lifetimeError}`);
    const { account, error } = parseClaims(payload);
    if (!account) throw new AuthException(AuthErrorCode.UNAUTHENTICATED, `Invalid token: ${error}`);
    return account;
  }

  /** Mints an HS256 token with the configured secret (the CLI's `token` command). */
  async sign(request: TokenRequest): Promise<string> {
    const { issuer, audience, maxTokenAgeSeconds } = this.config.values.auth;
    const lifetime = parseDurationSeconds(request.expiresIn ?? '12h');
    if (lifetime === undefined || lifetime > maxTokenAgeSeconds) {
      throw new AuthException(
        AuthErrorCode.UNAUTHENTICATED,
        `Token lifetime must be a duration such as 90m, 12h or 1d, at most ${maxTokenAgeSeconds} s (AUTH_MAX_TOKEN_AGE)`,
      );
    }
    // Times from the Clock, so tests on a ManualClock mint tokens valid at their "now".
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const jwt = new SignJWT({
      ...(request.businessId ? { business_id: request.businessId } : {}),
      ...(request.role ? { role: request.role } : {}),
      ...(request.email ? { email: request.email } : {}),
      ...(request.admin ? { admin: true } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(request.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime);
    if (issuer) jwt.setIssuer(issuer);
    if (audience) jwt.setAudience(audience);
    return jwt.sign(this.requireSecret());
  }

  private requireSecret(): Uint8Array {
    if (!this.secret) {
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'HS256 tokens are not accepted: AUTH_JWT_SECRET is not set');
    }
    return this.secret;
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `Invalid token: ${error.message}`;
  if (error instanceof errors.JOSEError) return 'Invalid token';
  return 'Invalid token';
}
