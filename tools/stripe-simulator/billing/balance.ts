export interface BalanceOutcome {
  /** What the card is charged. */
  amountDue: number;
  /** Customer balance after this invoice (negative = credit the customer still has). */
  endingBalance: number;
}

/**
 * Stripe applies a customer's credit balance (negative `balance`) to the next invoices and turns a
 * negative invoice total (e.g. a downgrade proration) into more credit instead of refunding it.
 */
export function applyCustomerBalance(total: number, startingBalance: number): BalanceOutcome {
  const afterBalance = total + startingBalance;
  if (afterBalance >= 0) return { amountDue: afterBalance, endingBalance: 0 };
  return { amountDue: 0, endingBalance: afterBalance };
}
