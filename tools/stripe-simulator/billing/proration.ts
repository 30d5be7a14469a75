export interface ProrationInput {
  periodStart: number;
  periodEnd: number;
  /** The moment the change takes effect; clamped into the period. */
  prorationDate: number;
  oldUnitAmount: number;
  oldQuantity: number;
  newUnitAmount: number;
  newQuantity: number;
}

export interface ProrationResult {
  /** Credit for the unused time on the old price (zero or negative, in the smallest currency unit). */
  credit: number;
  /** Charge for the remaining time on the new price (zero or positive). */
  debit: number;
  /** Share of the period still ahead, in [0, 1]. */
  remainingFraction: number;
  prorationDate: number;
}

/**
 * Stripe prorates by the exact seconds remaining in the item's current period; each side is
 * rounded to the nearest unit on its own, so credit + debit can differ by one cent from the
 * prorated difference. A zero-length period has nothing left to prorate.
 */
export function prorate(input: ProrationInput): ProrationResult {
  const total = input.periodEnd - input.periodStart;
  const at = Math.min(Math.max(input.prorationDate, input.periodStart), input.periodEnd);
  const remainingFraction = total > 0 ? (input.periodEnd - at) / total : 0;
  const credit = -Math.round(input.oldUnitAmount * input.oldQuantity * remainingFraction);
  const debit = Math.round(input.newUnitAmount * input.newQuantity * remainingFraction);
  return { credit: credit === 0 ? 0 : credit, debit, remainingFraction, prorationDate: at };
}
