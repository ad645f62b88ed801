/**
 * The small facts of an actor's context worth showing beside its state: its top-level fields that are plain
 * numbers, strings or booleans (for a VRRP instance: effectivePriority, masterAddress, syncFault, …). Objects
 * (parameters, trackers) are left out to keep the stream light.
 */
import type { ActorInfo } from './observed-event.js';

export function actorInfo(context: unknown): ActorInfo | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  let any = false;
  for (const [key, value] of Object.entries(context as Record<string, unknown>)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[key] = value;
    else if (value === undefined || value === null) out[key] = null;
    else continue;
    any = true;
  }
  return any ? out : undefined;
}

export function sameInfo(a: ActorInfo | undefined, b: ActorInfo | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}
