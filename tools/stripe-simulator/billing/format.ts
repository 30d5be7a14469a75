const SYMBOLS: Record<string, string> = { usd: '$', eur: '€', gbp: '£' };

/** Invoice line wording as Stripe writes it ("1 × Pro (at $20.00 / month)"); informational only. */
export function formatMoney(amount: number, currency: string): string {
  const symbol = SYMBOLS[currency.toLowerCase()];
  const value = (Math.abs(amount) / 100).toFixed(2);
  const sign = amount < 0 ? '-' : '';
  return symbol ? `${sign}${symbol}${value}` : `${sign}${value} ${currency.toUpperCase()}`;
}

export function formatDate(unix: number): string {
  return new Date(unix * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
