import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthAccount } from './auth-account.types.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { getRequest } from './request-context.util.js';

/**
 * The caller's verified identity (set by the global AuthGuard). Throws on a @Public() handler
 * without a token, so a handler can never act for nobody by mistake.
 */
export const CurrentAccount = createParamDecorator((_data: unknown, context: ExecutionContext): AuthAccount => {
  const account = getRequest(context).account;
  if (!account) throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'Not authenticated');
  return account;
});
