import { describe, expect, it } from '@jest/globals';
import { parseClaims } from './parse-claims.util.js';

describe('parseClaims', () => {
  it('reads an owner token', () => {
    expect(parseClaims({ sub: 'u1', business_id: 'b1', role: 'owner', email: 'a@b.c' })).toEqual({
      account: { userId: 'u1', email: 'a@b.c', businessId: 'b1', role: 'owner', isAdmin: false },
    });
  });

  it('lets an admin omit business and role', () => {
    expect(parseClaims({ sub: 'ops', admin: true }).account).toEqual({
      userId: 'ops',
      email: null,
      businessId: null,
      role: null,
      isAdmin: true,
    });
  });

  it.each([
    [{ business_id: 'b1', role: 'owner' }, 'token has no sub claim'],
    [{ sub: 'u1', role: 'owner' }, 'token has no business_id claim'],
    [{ sub: 'u1', business_id: 'b1' }, 'token has no role claim'],
    [{ sub: 'u1', business_id: 'b1', role: 'superuser' }, 'token role must be one of owner, member'],
    [{ sub: 'ops', admin: true, role: 'owner' }, 'token has no business_id claim'],
  ])('refuses %j', (claims, error) => {
    expect(parseClaims(claims)).toEqual({ error });
  });

  it('does not treat a truthy non-boolean admin claim as admin', () => {
    expect(parseClaims({ sub: 'u1', admin: 'true' }).error).toBe('token has no business_id claim');
  });
});
