import { describe, expect, it } from '@jest/globals';
import { compareEventAge, type EventAge } from './stripe-event-order.util.js';

const at = (iso: string) => new Date(iso);
const event = (id: string, created: string, received: string): EventAge => ({ id, stripeCreatedAt: at(created), receivedAt: at(received) });

describe('compareEventAge', () => {
  it('orders by Stripe creation time first, whatever the receipt order', () => {
    const older = event('evt_b', '2026-11-01T00:00:00Z', '2026-11-01T00:00:09Z');
    const newer = event('evt_a', '2026-11-01T00:00:01Z', '2026-11-01T00:00:02Z');
    expect([newer, older].sort(compareEventAge).map((e) => e.id)).toEqual(['evt_b', 'evt_a']);
  });

  it('breaks a tie of the same second by receipt time, not by the random event id', () => {
    const first = event('evt_z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00.100Z');
    const second = event('evt_a', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00.200Z');
    expect([second, first].sort(compareEventAge).map((e) => e.id)).toEqual(['evt_z', 'evt_a']);
  });

  it('falls back to the id only when both times tie, so the order is total', () => {
    const a = event('evt_a', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
    const b = event('evt_b', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
    expect([b, a].sort(compareEventAge).map((e) => e.id)).toEqual(['evt_a', 'evt_b']);
    expect(compareEventAge(a, a)).toBe(0);
  });
});
