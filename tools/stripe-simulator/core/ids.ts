import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Stripe-looking id: `prefix_` plus 24 base62 characters (real ids vary in length; callers must not parse them). */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

/** Uppercase prefix used for invoice numbers, like Stripe's per-customer `invoice_prefix`. */
export function newInvoicePrefix(): string {
  const bytes = randomBytes(8);
  let out = '';
  for (const byte of bytes) out += ALPHABET[10 + (byte % 26)];
  return out;
}
