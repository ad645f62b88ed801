/**
 * Effective priority from tracked objects, as keepalived computes it (vrrp_track.c, track_file.c): a tracked object
 * with a positive weight adds it while up, one with a negative weight adds it while down; weight 0 means "FAULT
 * while down". `reverse` is keepalived's weight multiplier of -1: the same condition, the opposite adjustment
 * (a positive weight is taken off while up, a negative one added while down), and weight 0 means FAULT while up.
 * The result is clamped to 1..254; the address owner's 255 is never changed by trackers (keepalived.conf(5),
 * track_script).
 */
export interface TrackerState {
  readonly weight: number;
  readonly up: boolean;
  /** keepalived's `weight … reverse`. */
  readonly reverse?: boolean | undefined;
  /** track_file: the number read from the file. */
  readonly value?: number | undefined;
}

export const OWNER_PRIORITY = 255;

/** A track_file's status at or below this is FAULT (keepalived clamps value × weight to -254..253). */
const FILE_FAULT = -254;
const FILE_MAX = 253;

/** A track_file's value × weight × multiplier, clamped as keepalived does; FILE_FAULT means FAULT. */
function fileStatus(tracker: TrackerState & { readonly value: number }): number {
  const multiplier = tracker.reverse ? -1 : 1;
  // Weight 0: a non-zero value is FAULT (with reverse: a zero value is).
  if (tracker.weight === 0) return (tracker.value !== 0) === (multiplier === 1) ? FILE_FAULT : 0;
  return Math.min(FILE_MAX, Math.max(FILE_FAULT, tracker.value * tracker.weight * multiplier));
}

/** What one tracked object adds to the priority (nothing while it holds the instance in FAULT). */
function adjustment(tracker: TrackerState): number {
  if (tracker.value !== undefined) {
    const status = fileStatus({ ...tracker, value: tracker.value });
    return status === FILE_FAULT ? 0 : status;
  }
  const multiplier = tracker.reverse ? -1 : 1;
  if (tracker.weight > 0 && tracker.up) return tracker.weight * multiplier;
  if (tracker.weight < 0 && !tracker.up) return tracker.weight * multiplier;
  return 0;
}

export function effectivePriority(basePriority: number, trackers: Readonly<Record<string, TrackerState>>): number {
  if (basePriority === OWNER_PRIORITY) return OWNER_PRIORITY;
  let priority = basePriority;
  for (const tracker of Object.values(trackers)) priority += adjustment(tracker);
  return Math.min(254, Math.max(1, priority));
}

/** True when a tracked object holds the instance in FAULT: weight 0 and down (up with reverse), or a track_file at -254. */
export function trackersFault(trackers: Readonly<Record<string, TrackerState>>): boolean {
  for (const tracker of Object.values(trackers)) {
    if (tracker.value !== undefined) {
      if (fileStatus({ ...tracker, value: tracker.value }) === FILE_FAULT) return true;
    } else if (tracker.weight === 0 && tracker.up === Boolean(tracker.reverse)) return true;
  }
  return false;
}
