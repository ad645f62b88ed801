/**
 * Effective priority from tracked objects, as keepalived computes it: a tracked object with a positive weight adds
 * it while up, one with a negative weight adds it while down; weight 0 means "FAULT while down". The result is
 * clamped to 1..254; the address owner's 255 is never changed by trackers (keepalived.conf(5), track_script).
 */
export interface TrackerState {
  readonly weight: number;
  readonly up: boolean;
  /** track_file: the number read from the file. */
  readonly value?: number | undefined;
}

export const OWNER_PRIORITY = 255;

export function effectivePriority(basePriority: number, trackers: Readonly<Record<string, TrackerState>>): number {
  if (basePriority === OWNER_PRIORITY) return OWNER_PRIORITY;
  let priority = basePriority;
  for (const tracker of Object.values(trackers)) {
    if (tracker.value !== undefined) priority += tracker.value * tracker.weight;
    else if (tracker.weight > 0 && tracker.up) priority += tracker.weight;
    else if (tracker.weight < 0 && !tracker.up) priority += tracker.weight;
  }
  return Math.min(254, Math.max(1, priority));
}

/** True when a tracked object without weight is down (keepalived puts the instance in FAULT). */
export function trackersFault(trackers: Readonly<Record<string, TrackerState>>): boolean {
  for (const tracker of Object.values(trackers)) {
    if (tracker.value !== undefined ? tracker.weight === 0 && tracker.value !== 0 : tracker.weight === 0 && !tracker.up) return true;
  }
  return false;
}
