import { describe, expect, it } from '@jest/globals';
import { resolveBusinessLink } from './resolve-business-link.util.js';

describe('resolveBusinessLink', () => {
  it('links on what our server wrote, over a client_reference_id naming someone else', () => {
    expect(resolveBusinessLink({ trusted: ['biz_owner', undefined, 'biz_owner'], clientReferenceId: 'biz_victim' })).toEqual({
      kind: 'link',
      businessId: 'biz_owner',
      ignoredClientReference: 'biz_victim',
    });
  });

  it('never links on a client_reference_id alone (a Payment Link buyer can set it)', () => {
    expect(resolveBusinessLink({ trusted: [null, ''], clientReferenceId: 'biz_victim' })).toEqual({
      kind: 'none',
      clientReferenceId: 'biz_victim',
    });
  });

  it('reports a conflict when our own metadata names two businesses', () => {
    expect(resolveBusinessLink({ trusted: ['biz_b', 'biz_a'], clientReferenceId: null })).toEqual({
      kind: 'conflict',
      businessIds: ['biz_a', 'biz_b'],
    });
  });
});
