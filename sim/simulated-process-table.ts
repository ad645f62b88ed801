/**
 * The simulated host's process table, as track_process lists it (NodeEnvironment.listProcesses): groups of
 * processes the scenario starts and stops; a listing answers on the clock, at the time it was asked.
 */
import type { Clock } from '../machines/clock.js';
import type { ProcessEntry } from '../actors/environment.js';

export class SimulatedProcessTable {
  private readonly groups = new Map<string, readonly ProcessEntry[]>();

  constructor(private readonly clock: Clock) {}

  /** The processes of one group (e.g. one track_process block) are now `entries` (none: stopped). */
  set(group: string, entries: readonly ProcessEntry[]): void {
    this.groups.set(group, entries);
  }

  list(done: (processes: readonly ProcessEntry[]) => void): undefined {
    this.clock.setTimeout(() => done([...this.groups.values()].flat()), 0);
    return undefined;
  }
}
