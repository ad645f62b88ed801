/** Parses durations as scenarios write them: "60s", "1ms", "250us", "1.5m", "2h", or a number of milliseconds. */
const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!;
}

/** Formats virtual milliseconds for a timeline: seconds with microsecond precision, trailing zeros kept short. */
export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(6).replace(/0{1,3}$/, '')}s`;
}
