/**
 * The processes every `track_process` block counts, kept up to date from the kernel's process events as
 * keepalived keeps its tree of tracked PIDs (track_process.c): a listing of /proc at the start (and after events
 * were lost), then
 * - fork: the child counts wherever its parent counts (a process nobody counts has children nobody counts);
 * - exec: the process is judged again by what it runs now;
 * - comm: a new name is judged again by the blocks that look at names (not by those matching command lines,
 *   which a name change does not touch);
 * - exit: it counts nowhere any more.
 * Each change of a block's count comes out with its cause, which decides the delay it is subject to: a fork
 * (fork_delay), an exit (terminate_delay) or a change of program or name (none).
 *
 * keepalived counts a process twice when it execs a program its block matches while already counted (it adds a
 * reference without looking for the one it has); here a process counts at most once per block.
 */
import { matchesProcess, type ProcessIdentity, type ProcessMatchSpec } from './process-match.js';

export type { ProcessIdentity };

/** A process of a listing. */
export interface ProcessEntry extends ProcessIdentity {
  readonly pid: number;
}

/** One event of the kernel's process events connector, for a process (threads are left out), or of the simulated host. */
export type ProcessEvent =
  | { readonly kind: 'fork'; readonly parent: number; readonly child: number }
  /** The process runs a new program: what it is now (undefined: gone before it could be read). */
  | { readonly kind: 'exec'; readonly pid: number; readonly identity: ProcessIdentity | undefined }
  | { readonly kind: 'comm'; readonly pid: number; readonly comm: string }
  | { readonly kind: 'exit'; readonly pid: number };

/** What made a count change: a fork (fork_delay applies), an exit (terminate_delay applies) or a new program or name. */
export type CountCause = 'fork' | 'exit' | 'change';

export interface CountChange {
  readonly name: string;
  readonly count: number;
  readonly cause: CountCause;
}

const NONE: ReadonlySet<string> = new Set();

export class ProcessCensus {
  /** Each PID that counts somewhere, with the blocks it counts for. */
  private readonly counted = new Map<number, ReadonlySet<string>>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly specs: ReadonlyMap<string, ProcessMatchSpec>) {
    for (const name of specs.keys()) this.counts.set(name, 0);
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /**
   * A whole listing replaces what was known. A listing sees the difference, not how it came: a count that shrank
   * comes out as by an exit, one that grew as `grown` says (keepalived, listing again after lost events, reports
   * a gained quorum at once: 'change'; vigil's polling, where no events come, judges it as after a fork).
   */
  rescan(entries: readonly ProcessEntry[], grown: CountCause = 'fork'): CountChange[] {
    const before = new Map(this.counts);
    this.counted.clear();
    for (const name of this.counts.keys()) this.counts.set(name, 0);
    for (const entry of entries) {
      const names = this.judge(entry, () => true);
      if (names.size === 0) continue;
      this.counted.set(entry.pid, names);
      for (const name of names) this.counts.set(name, this.count(name) + 1);
    }
    const changes: CountChange[] = [];
    for (const [name, count] of this.counts) {
      const was = before.get(name) ?? 0;
      if (count !== was) changes.push({ name, count, cause: count > was ? grown : 'exit' });
    }
    return changes;
  }

  apply(event: ProcessEvent): CountChange[] {
    switch (event.kind) {
      case 'fork': {
        // A child already known was listed after it was born: the listing judged it.
        if (this.counted.has(event.child)) return [];
        return this.become(event.child, this.counted.get(event.parent) ?? NONE, 'fork');
      }
      case 'exec':
        // keepalived leaves a process it cannot read as it was; its exit will come.
        if (event.identity === undefined) return [];
        return this.become(event.pid, this.judge(event.identity, () => true), 'change');
      case 'comm': {
        const kept = [...(this.counted.get(event.pid) ?? NONE)].filter((name) => this.specs.get(name)?.fullCommand === true);
        const byName = this.judge({ comm: event.comm }, (spec) => !spec.fullCommand);
        return this.become(event.pid, new Set([...kept, ...byName]), 'change');
      }
      case 'exit':
        return this.become(event.pid, NONE, 'exit');
    }
  }

  /** The blocks (among those `considered`) that count a process with this identity. */
  private judge(identity: ProcessIdentity, considered: (spec: ProcessMatchSpec) => boolean): Set<string> {
    const names = new Set<string>();
    for (const [name, spec] of this.specs) if (considered(spec) && matchesProcess(spec, identity)) names.add(name);
    return names;
  }

  /** PID `pid` now counts for `names` (and nothing else): the counts that change, with `cause`. */
  private become(pid: number, names: ReadonlySet<string>, cause: CountCause): CountChange[] {
    const was = this.counted.get(pid) ?? NONE;
    if (names.size === 0) this.counted.delete(pid);
    else this.counted.set(pid, names);
    const changes: CountChange[] = [];
    for (const name of was) {
      if (names.has(name)) continue;
      const count = this.count(name) - 1;
      this.counts.set(name, count);
      changes.push({ name, count, cause });
    }
    for (const name of names) {
      if (was.has(name)) continue;
      const count = this.count(name) + 1;
      this.counts.set(name, count);
      changes.push({ name, count, cause });
    }
    return changes;
  }
}
