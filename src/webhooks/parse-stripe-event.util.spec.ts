import { describe, expect, it } from '@jest/globals';
import { parseStripeEvent } from './parse-stripe-event.util.js';

const base = {
  id: 'evt_1',
  object: 'event',
  api_version: '2026-10-28.endive',
  created: 1_790_000_000,
  livemode: false,
  type: 'customer.subscription.updated',
  data: { object: { id: 'sub_1', object: 'subscription', customer: 'cus_1' } },
};

describe('parseStripeEvent', () => {
  it('keeps an ordinary body as it came, with no raw copy', () => {
    const text = JSON.stringify(base);
    const parsed = parseStripeEvent(text);
    expect(parsed).toEqual({
      ok: true,
      event: {
        id: 'evt_1',
        type: 'customer.subscription.updated',
        livemode: false,
        apiVersion: '2026-10-28.endive',
        created: 1_790_000_000,
        object: base.data.object,
        payload: text,
        rawPayload: null,
      },
    });
  });

  it('cleans U+0000 and lone surrogates in values and keys, and keeps the body as received', () => {
    const text = JSON.stringify({ ...base, data: { object: { ...base.data.object, metadata: { 'a\u0000': 'b\u0000', c: '\ud800x' } } } });
    const parsed = parseStripeEvent(text);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(JSON.parse(parsed.event.payload).data.object.metadata).toEqual({ 'a\uFFFD': 'b\uFFFD', c: '\uFFFDx' });
    expect(parsed.event.payload).not.toContain('\\u0000');
    expect(parsed.event.rawPayload).toBe(text);
  });

  it('leaves a well-formed surrogate pair (an emoji) alone', () => {
    const text = JSON.stringify({ ...base, data: { object: { ...base.data.object, name: '\ud83d\ude00' } } }).replace('😀', '\\ud83d\\ude00');
    const parsed = parseStripeEvent(text);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(JSON.parse(parsed.event.payload).data.object.name).toBe('😀');
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['no id', JSON.stringify({ ...base, id: undefined })],
    ['an empty id', JSON.stringify({ ...base, id: '' })],
    ['U+0000 in the id', JSON.stringify({ ...base, id: 'evt_\u0000' })],
    ['a numeric type', JSON.stringify({ ...base, type: 5 })],
    ['created as a string', JSON.stringify({ ...base, created: '1790000000' })],
    ['a fractional created', JSON.stringify({ ...base, created: 1.5 })],
    ['a negative created', JSON.stringify({ ...base, created: -1 })],
    ['no data', JSON.stringify({ ...base, data: undefined })],
    ['data.object not an object', JSON.stringify({ ...base, data: { object: 'sub_1' } })],
    ['livemode as a string', JSON.stringify({ ...base, livemode: 'false' })],
    ['api_version as a number', JSON.stringify({ ...base, api_version: 2026 })],
  ])('refuses %s', (_name, text) => {
    expect(parseStripeEvent(text)).toEqual({ ok: false, problem: expect.any(String) });
  });
});
