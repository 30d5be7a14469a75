/** Plain-text tables for operators; `--json` output bypasses these entirely. */

export type Cell = string | number | boolean | Date | null | undefined;

export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Rows as an aligned table with a header; `(none)` for no rows. */
export function formatTable(rows: Record<string, Cell>[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const keys = columns ?? Object.keys(rows[0]);
  const cells = rows.map((row) => keys.map((key) => formatCell(row[key])));
  const widths = keys.map((key, i) => Math.max(key.length, ...cells.map((line) => line[i].length)));
  const line = (parts: string[]) => parts.map((part, i) => part.padEnd(widths[i])).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `key: value` lines, keys aligned. */
export function formatFields(fields: Record<string, Cell>): string {
  const width = Math.max(...Object.keys(fields).map((key) => key.length));
  return Object.entries(fields)
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${formatCell(value)}`)
    .join('\n');
}

/** A titled block. */
export function section(title: string, body: string): string {
  return `${title}\n${body}\n`;
}

/** Writes `data` as JSON (for scripts) or as the text `render` makes (for people), on stdout. */
export function emit(json: boolean | undefined, data: unknown, render: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${render().trimEnd()}\n`);
}

/** A warning as `CODE: message (until <time>)`, the until only when it has one. */
export function formatWarning(warning: { code: string; message: string; until?: Date | null }): string {
  return `${warning.code}: ${warning.message}${warning.until ? ` (until ${warning.until.toISOString()})` : ''}`;
}
