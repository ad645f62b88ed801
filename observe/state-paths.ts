/**
 * An XState state value as the list of its active leaf states, as dotted paths: "INIT", or for a parallel state
 * ["BACKUP.timer.waiting", "BACKUP.preempt.idle"]. The first segment is the name keepalived prints.
 */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (value === null || typeof value !== 'object') return prefix ? [prefix] : [];
  const out: string[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [prefix] : [];
  for (const [key, child] of entries) out.push(...leafPaths(child, prefix ? `${prefix}.${key}` : key));
  return out;
}

/** The top-level state of a list of leaf paths ("BACKUP" for "BACKUP.timer.waiting"). */
export function topState(paths: readonly string[]): string {
  const first = paths[0] ?? '';
  const dot = first.indexOf('.');
  return dot < 0 ? first : first.slice(0, dot);
}
