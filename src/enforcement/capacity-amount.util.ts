/** Larger amounts are refused as input errors: no plan sells more, and it keeps sums far from int4. */
export const MAX_CAPACITY_AMOUNT = 1_000_000;

/**
 * The amount a @RequiresPlanCapacity handler asks for: a fixed number, or a dotted path into the
 * handler's arguments (GraphQL args, or the JSON body for REST), e.g. `input.expectedCreators`.
 * Guards run before validation pipes, so the value is checked here: a positive integer.
 */
export function resolveCapacityAmount(
  amount: number | string | undefined,
  source: unknown,
): { amount: number } | { error: string } {
  if (amount === undefined) return { amount: 1 };
  const value =
    typeof amount === 'number'
      ? amount
      : amount.split('.').reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), source);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CAPACITY_AMOUNT) {
    const where = typeof amount === 'number' ? 'the declared amount' : amount;
    return { error: `${where} must be an integer from 1 to ${MAX_CAPACITY_AMOUNT}` };
  }
  return { amount: value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
