import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccountRole } from './auth-account.types.js';
import { ADMIN_KEY, PUBLIC_KEY, ROLES_KEY } from './auth.decorator.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter.service.js';
import { bearerToken } from './bearer-token.util.js';
import { AuthService } from './auth.service.js';
import { getRequest } from './request-context.util.js';

/**
 * Global guard, default-deny: every handler needs a valid token unless marked @Public().
 * Then @AdminOnly() and @Roles() narrow who may call it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = getRequest(context);
    const token = bearerToken(request.headers.authorization);
    let account;
    try {
      if (token === undefined) {
        throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'Missing bearer token: send Authorization: Bearer <JWT>');
      }
      // Verified once per request: the rate-limit middleware asked first.
      account = await this.auth.verifyForRequest(request, token);
    } catch (error) {
      // Too many failures from this IP: 429 instead of 401 until its window ends.
      throw this.failures.recordFailure(request.ip) ?? error;
    }
    request.account = account;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_KEY, targets) && !account.isAdmin) {
      throw new AuthException(AuthErrorCode.FORBIDDEN, 'Admins only');
    }
    const roles = this.reflector.getAllAndOverride<AccountRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !(account.role && roles.includes(account.role))) {
      throw new AuthException(AuthErrorCode.FORBIDDEN, `Requires role: ${roles.join(' or ')}`);
    }
    return true;
  }
}
