import { describe, expect, it } from '@jest/globals';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { resolveSyncTarget } from './manual-sync.util.js';

const owner: AuthAccount = { userId: 'u1', email: null, businessId: 'b1', role: 'owner', isAdmin: false };
const member: AuthAccount = { ...owner, role: 'member' };
const admin: AuthAccount = { userId: 'ops', email: null, businessId: null, role: null, isAdmin: true };

describe('resolveSyncTarget', () => {
  it('lets an owner sync their own business', () => {
    expect(resolveSyncTarget(owner, undefined)).toEqual({ businessId: 'b1', operatorSub: 'owner:u1' });
    expect(resolveSyncTarget(owner, 'b1')).toEqual({ businessId: 'b1', operatorSub: 'owner:u1' });
  });

  it('refuses an owner naming another business, and members', () => {
    expect(resolveSyncTarget(owner, 'b2')).toMatchObject({ error: 'FORBIDDEN' });
    expect(resolveSyncTarget(member, undefined)).toMatchObject({ error: 'FORBIDDEN' });
  });

  it('lets an admin sync any business, which it must name', () => {
    expect(resolveSyncTarget(admin, 'b9')).toEqual({ businessId: 'b9', operatorSub: 'ops' });
    expect(resolveSyncTarget(admin, undefined)).toMatchObject({ error: 'BAD_USER_INPUT' });
  });
});
