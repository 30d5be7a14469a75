import { describe, expect, it } from '@jest/globals';
import { type ExecutionContext, NotFoundException } from '@nestjs/common';
import { AuthException } from '../auth/auth.exception.js';
import type { AppConfigService } from '../config/app-config.service.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

const TOKEN = 'metrics-token-0123456789';
const guard = (token: string | undefined) =>
  new MetricsTokenGuard({ values: { metrics: { port: undefined, host: undefined, token } } } as unknown as AppConfigService);
const request = (authorization?: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }) }) as unknown as ExecutionContext;

describe('MetricsTokenGuard', () => {
  it('answers 404 while METRICS_TOKEN is unset, whatever the caller sends', () => {
    expect(() => guard(undefined).canActivate(request(`Bearer ${TOKEN}`))).toThrow(NotFoundException);
  });

  it('lets only the token through', () => {
    expect(guard(TOKEN).canActivate(request(`Bearer ${TOKEN}`))).toBe(true);
    expect(() => guard(TOKEN).canActivate(request('Bearer something-else-entirely'))).toThrow(AuthException);
    expect(() => guard(TOKEN).canActivate(request())).toThrow(AuthException);
  });
});
