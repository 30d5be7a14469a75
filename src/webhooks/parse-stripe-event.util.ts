/** A signed event as the inbox stores it. */
export interface InboxEvent {
  id: string;
  type: string;
  livemode: boolean;
  apiVersion: string | null;
  /** Unix seconds, as Stripe sends it. */
  created: number;
  /** `data.object` (cleaned, see `payload`). */
  object: Record<string, unknown>;
  /** JSON text for the jsonb column: the body as received, or a cleaned copy (see `rawPayload`). */
  payload: string;
  /**
   * The body as received, kept only when `payload` had to be cleaned: jsonb cannot hold U+0000
   * or lone surrogates, so those become U+FFFD in `payload` and the original text stays here.
   */
  rawPayload: string | null;
}

export type ParsedStripeEvent = { ok: true; event: InboxEvent } | { ok: false; problem: string };

// JSON escapes jsonb refuses: \u0000, and any surrogate (paired ones are checked after parsing).
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = new RegExp(String.fromCharCode(0), 'g');
const MAX_ID_LENGTH = 255;

/**
 * Reads a body whose signature is already verified. A signed body that is not a Stripe event
 * (not JSON, no id/type, no numeric `created`, no `data.object`) is a permanent problem: the
 * caller answers 400 with its own code, so it is never confused with a bad signature.
 */
export function parseStripeEvent(text: string): ParsedStripeEvent {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };

  const odd = SUSPECT_ESCAPE.test(text);
  const event = odd ? (clean(body) as Record<string, unknown>) : body;
  const { id, type, created, livemode, api_version: apiVersion, data } = event;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || id.includes('\uFFFD')) {
    return { ok: false, problem: 'id must be a non-empty string of printable characters' };
  }
  if (typeof type !== 'string' || type.length === 0 || type.includes('\uFFFD')) {
    return { ok: false, problem: 'type must be a non-empty string' };
  }
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0) {
    return { ok: false, problem: 'created must be a unix timestamp' };
  }
  if (livemode !== undefined && typeof livemode !== 'boolean') return { ok: false, problem: 'livemode must be a boolean' };
  if (apiVersion !== undefined && apiVersion !== null && typeof apiVersion !== 'string') {
    return { ok: false, problem: 'api_version must be a string' };
  }
  if (!isRecord(data) || !isRecord(data.object)) return { ok: false, problem: 'data.object must be an object' };

  const payload = odd ? JSON.stringify(event) : text;
  return {
    ok: true,
    event: {
      id,
      type,
      livemode: livemode === true,
      apiVersion: (apiVersion as string | null | undefined) ?? null,
      created,
      object: data.object,
      payload,
      rawPayload: odd ? text : null,
    },
  };
}

/** Replaces U+0000 and lone surrogates in every string and key with U+FFFD. */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (Array.isArray(value)) return value.map(clean);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[cleanString(key)] = clean(inner);
    return out;
  }
  return value;
}

function cleanString(value: string): string {
  return value.replace(NUL, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
