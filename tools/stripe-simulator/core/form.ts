/**
 * Decoding of Stripe's bracket form encoding (`items[0][price]=p&metadata[k]=v`), as produced by
 * the SDK for POST bodies and for GET/DELETE query strings. Written here rather than relying on
 * `qs`, whose array limit silently turns `items[21]` into an object key.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(key.slice(open))) !== null) parts.push(match[1] ?? '');
  return parts;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component;
  }
}

const PUSH = Symbol('push');
type Draft = { [key: string]: Draft | string; [PUSH]?: number };

function assign(target: Draft, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i] as string;
    if (segment === '') {
      // `expand[]=a&expand[]=b`: Stripe accepts the unindexed form too.
      const next = node[PUSH] ?? 0;
      node[PUSH] = next + 1;
      segment = String(next);
    }
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const child = node[segment];
    if (typeof child !== 'object') node[segment] = {};
    node = node[segment] as Draft;
  }
}

function finish(draft: Draft | string): FormValue {
  if (typeof draft === 'string') return draft;
  const keys = Object.keys(draft);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => finish(draft[String(k)] as Draft | string));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = finish(draft[k] as Draft | string);
  return out;
}

export function parseForm(body: string): FormObject {
  const root: Draft = {};
  if (!body) return {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    assign(root, splitKey(decode(rawKey)), decode(rawValue));
  }
  return finish(root) as FormObject;
}

/** Mirror of the SDK's encoder (stripe/cjs/utils.js stringifyRequestData), used by tests and the HTML pages. */
export function encodeForm(data: Record<string, unknown>): string {
  const pairs: string[] = [];
  const enc = (s: string): string => encodeURIComponent(s).replace(/%5B/g, '[').replace(/%5D/g, ']');
  const walk = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      pairs.push(`${enc(key)}=${enc(value === null ? '' : String(value as string | number | boolean))}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${key}[${i}]`, v));
    } else {
      for (const [k, v] of Object.entries(value)) walk(`${key}[${k}]`, v);
    }
  };
  for (const [k, v] of Object.entries(data)) walk(k, v);
  return pairs.join('&');
}
