/**
 * The catalog's COUNT metrics split by whether a recount knows how to count them from the
 * product's own rows. Period metrics (per window) are never recounted: past windows' uses are
 * not rows that still exist.
 */
export function splitCountMetrics(
  metrics: readonly { key: string; kind: string }[],
  hasCountSource: (metric: string) => boolean,
): { recountable: string[]; notRecountable: string[] } {
  const counts = metrics.filter((metric) => metric.kind === 'count').map((metric) => metric.key);
  return {
    recountable: counts.filter((key) => hasCountSource(key)),
    notRecountable: counts.filter((key) => !hasCountSource(key)),
  };
}
