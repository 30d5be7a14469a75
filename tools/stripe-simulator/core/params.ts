import { invalidRequest, missingParam } from './errors.js';
import type { FormObject, FormValue } from './form.js';

/**
 * Typed, validating reads of decoded form parameters. Error messages follow Stripe's wording so
 * a client bug shows up the same way it would against the real API.
 */
export class Params {
  constructor(
    readonly raw: FormObject,
    private readonly prefix = '',
  ) {}

  private name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  /** Stripe treats an empty string as "unset" for optional fields. */
  isEmpty(key: string): boolean {
    return this.raw[key] === '';
  }

  str(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${this.name(key)}`, this.name(key));
    return v;
  }

  requiredStr(key: string): string {
    const v = this.str(key);
    if (v === undefined || v === '') throw missingParam(this.name(key));
    return v;
  }

  int(key: string): number | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, this.name(key));
    return Number(v);
  }

  bool(key: string): boolean | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return undefined;
    if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, this.name(key));
    return v === 'true';
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      throw invalidRequest(`Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`, this.name(key));
    }
    return v as T;
  }

  obj(key: string): Params | undefined {
    const v = this.raw[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest(`Invalid object: ${this.name(key)}`, this.name(key));
    return new Params(v, this.name(key));
  }

  list(key: string): Params[] {
    const v = this.raw[key];
    if (v === undefined || v === '') return [];
    if (!Array.isArray(v)) throw invalidRequest(`Invalid array: ${this.name(key)}`, this.name(key));
    return v.map((item, i) => {
      if (typeof item !== 'object' || Array.isArray(item)) throw invalidRequest(`Invalid object: ${this.name(key)}[${i}]`);
      return new Params(item, `${this.name(key)}[${i}]`);
    });
  }

  strList(key: string): string[] {
    const v: FormValue | undefined = this.raw[key];
    if (v === undefined || v === '') return [];
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidRequest(`Invalid array: ${this.name(key)}`, this.name(key));
    return v as string[];
  }

  /** `metadata[k]=v`; an empty value deletes the key, as on Stripe. Returns undefined when absent. */
  metadata(key = 'metadata'): Record<string, string | null> | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (v === '') return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest(`Invalid object: ${this.name(key)}`, this.name(key));
    const out: Record<string, string | null> = {};
    for (const [k, value] of Object.entries(v)) {
      if (typeof value !== 'string') throw invalidRequest(`Invalid metadata value: ${k}`, `${this.name(key)}[${k}]`);
      out[k] = value === '' ? null : value;
    }
    return out;
  }

  /** Unix timestamp or the literal `now`. */
  timestampOrNow(key: string, now: number): number | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return undefined;
    if (v === 'now') return now;
    if (!/^\d+$/.test(v)) throw invalidRequest(`Invalid timestamp: ${v}`, this.name(key));
    return Number(v);
  }
}

/** Applies Stripe's metadata update semantics: merge, with null deleting a key. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string | null> | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (Object.keys(update).length === 0) return {};
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
