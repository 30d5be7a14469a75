import { describe, expect, it } from '@jest/globals';
import { AdminAccountWarningCode, accountWarnings } from './account-warnings.util.js';

describe('accountWarnings', () => {
  it('says nothing of an account with one live subscription or none', () => {
    expect(accountWarnings({ liveSubscriptionCount: 0 })).toEqual([]);
    expect(accountWarnings({ liveSubscriptionCount: 1 })).toEqual([]);
  });

  it('warns of several live subscriptions, saying how many', () => {
    const [warning, ...rest] = accountWarnings({ liveSubscriptionCount: 3 });
    expect(rest).toEqual([]);
    expect(warning.code).toBe(AdminAccountWarningCode.MULTIPLE_LIVE_SUBSCRIPTIONS);
    expect(warning.message).toContain('3 live subscriptions');
  });
});
