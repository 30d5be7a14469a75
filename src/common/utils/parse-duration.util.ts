const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `86400`, `90s`, `90m`, `24h`, `7d` in seconds; undefined for anything else. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[(match[2] || 's') as keyof typeof UNIT_SECONDS];
}
