/**
 * Whether a machine's answer left it where it was: the steady-state shortcuts of the VRRP and checker runners
 * (actors/vrrp/vrrp-instance-runner.ts, actors/checks/checker-runner.ts) remember an answer only when it did.
 */

/** Two XState state values name the same states (every region's substate of a parallel state too). */
export function sameStateValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameStateValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Two contexts hold the same values: every field by reference (a machine replaces what it changes, never mutates
 * it), unless `sameField` says two different objects in a field are equal.
 */
export function sameContextValues(a: object, b: object, sameField?: (key: string, x: unknown, y: unknown) => boolean): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    return x === y || (sameField?.(k, x, y) ?? false);
  });
}
