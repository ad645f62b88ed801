/**
 * The ProcessMonitor contract (transport/process-monitor.ts): what track_process learns of the host's processes.
 * `ready` comes once, first, and says whether events will come (or why not); a listing shows every running process
 * with its name and its command line cut to the bytes asked, zombies and the dead left out; where events come, a
 * start is a fork then an exec read as what the process runs now, a fork names parent and child, a name change
 * gives the new name, an exit is told whether or not the process is reaped; after `close` nothing more is told.
 *
 * Judged from the world the rig made (the processes it started, their argv and names), never from the monitor's
 * own account.
 */
import assert from 'node:assert/strict';
import type { ProcessEntry, ProcessEvent, ProcessMonitor, ProcessReads, WatchMode } from '../../transport/process-monitor.js';
import { CaseSkipped, type ContractCase } from './contract.js';

/** A process the rig started: its PID and what the kernel shows of it. */
export interface StartedProcess {
  readonly pid: number;
  readonly comm: string;
  /** Its whole command line as /proc/PID/cmdline shows it (each argument followed by a NUL). */
  readonly cmdline: string;
}

export interface ProcessMonitorRig {
  readonly monitor: ProcessMonitor;
  /** Whether the kernel here tells of process events (the rig knows its world: a namespace, a kernel). */
  readonly eventsHere: boolean;
  /** Starts a process of the test's own, unlike any other on the host. */
  start(): Promise<StartedProcess>;
  /** Makes a started process (or a child) fork; the child's PID. */
  fork(pid: number): Promise<number>;
  /** Makes a started process (or a child) rename itself (prctl PR_SET_NAME). */
  rename(pid: number, comm: string): Promise<void>;
  /** Kills a process; `zombie`: one whose parent does not reap it (a forked child). */
  kill(pid: number): Promise<void>;
  /** Waits (real time, or the virtual clock run on) until `done` holds; fails after a bound. */
  until(done: () => boolean, what: string): Promise<void>;
  /** Lets time go on a little, for what must not come. */
  idle(): Promise<void>;
  list(reads: ProcessReads): Promise<readonly ProcessEntry[]>;
  /** Kills whatever it started. */
  cleanup(): Promise<void>;
}

const WHOLE: ProcessReads = { comm: true, cmdlineBytes: 4096 };

/** Watches with `reads`, collecting everything the sink is told (on a real host, every process's events). */
function collect(rig: ProcessMonitorRig, reads: ProcessReads = WHOLE) {
  const modes: WatchMode[] = [];
  const events: ProcessEvent[] = [];
  const lost: string[] = [];
  const watch = rig.monitor.watch(reads, {
    ready: (mode) => void modes.push(mode),
    event: (event) => {
      if (modes.length === 0) throw new Error('an event came before ready');
      events.push(event);
    },
    lost: (detail) => void lost.push(detail),
  });
  return { modes, events, lost, watch };
}

async function watching(rig: ProcessMonitorRig, reads?: ProcessReads) {
  const c = collect(rig, reads);
  await rig.until(() => c.modes.length > 0, 'ready');
  const mode = c.modes[0]!;
  assert.equal(mode.events, rig.eventsHere, mode.events ? 'events came where the kernel does not tell' : `no events: ${mode.reason}`);
  if (!rig.eventsHere) {
    c.watch.close();
    throw new CaseSkipped('no process events here: only listings are checked');
  }
  return c;
}

function identityOf(events: readonly ProcessEvent[], pid: number) {
  const exec = events.find((e) => e.kind === 'exec' && e.pid === pid);
  return exec?.kind === 'exec' ? exec.identity : undefined;
}

export const processMonitorContract: readonly ContractCase<ProcessMonitorRig>[] = [
  {
    name: 'ready comes once, first, and says whether events come here (with a reason when not)',
    async check(rig) {
      const c = collect(rig);
      await rig.until(() => c.modes.length > 0, 'ready');
      await rig.idle();
      c.watch.close();
      assert.equal(c.modes.length, 1);
      const mode = c.modes[0]!;
      assert.equal(mode.events, rig.eventsHere);
      if (!mode.events) assert.ok(mode.reason.length > 0);
    },
  },
  {
    name: 'a listing shows a running process with its name and its command line cut to the bytes asked',
    async check(rig) {
      try {
        const p = await rig.start();
        const whole = (await rig.list(WHOLE)).find((e) => e.pid === p.pid);
        assert.deepEqual(whole, { pid: p.pid, comm: p.comm, cmdline: p.cmdline });
        const cut = (await rig.list({ comm: false, cmdlineBytes: 5 })).find((e) => e.pid === p.pid);
        assert.deepEqual(cut, { pid: p.pid, cmdline: p.cmdline.slice(0, 5) });
        const names = (await rig.list({ comm: true, cmdlineBytes: 0 })).find((e) => e.pid === p.pid);
        assert.deepEqual(names, { pid: p.pid, comm: p.comm });
      } finally {
        await rig.cleanup();
      }
    },
  },
  {
    name: 'a listing leaves out a process that exited, reaped or not (a zombie)',
    async check(rig) {
      try {
        const p = await rig.start();
        const child = await rig.fork(p.pid);
        assert.ok((await rig.list(WHOLE)).some((e) => e.pid === child), 'the forked child is listed');
        await rig.kill(child);
        assert.equal((await rig.list(WHOLE)).some((e) => e.pid === child), false, 'the zombie child is left out');
        await rig.kill(p.pid);
        assert.equal((await rig.list(WHOLE)).some((e) => e.pid === p.pid), false, 'the reaped process is left out');
      } finally {
        await rig.cleanup();
      }
    },
  },
  {
    name: 'with events: a start is a fork then an exec read as what the process runs now',
    async check(rig) {
      const c = await watching(rig);
      try {
        const p = await rig.start();
        await rig.until(() => identityOf(c.events, p.pid) !== undefined, 'the exec');
        const forkAt = c.events.findIndex((e) => e.kind === 'fork' && e.child === p.pid);
        const execAt = c.events.findIndex((e) => e.kind === 'exec' && e.pid === p.pid);
        assert.ok(forkAt >= 0 && forkAt < execAt, 'the fork came before the exec');
        assert.deepEqual(identityOf(c.events, p.pid), { comm: p.comm, cmdline: p.cmdline });
      } finally {
        c.watch.close();
        await rig.cleanup();
      }
    },
  },
  {
    name: 'with events: a fork names parent and child, a name change the new name, an exit the process (zombie or reaped)',
    async check(rig) {
      const c = await watching(rig, { comm: true, cmdlineBytes: 0 });
      try {
        const p = await rig.start();
        const child = await rig.fork(p.pid);
        await rig.until(() => c.events.some((e) => e.kind === 'fork' && e.parent === p.pid && e.child === child), 'the fork');
        await rig.rename(child, 'vigil-renamed');
        await rig.until(() => c.events.some((e) => e.kind === 'comm' && e.pid === child), 'the name change');
        assert.deepEqual(c.events.find((e) => e.kind === 'comm' && e.pid === child), { kind: 'comm', pid: child, comm: 'vigil-renamed' });
        await rig.kill(child);
        await rig.until(() => c.events.some((e) => e.kind === 'exit' && e.pid === child), 'the exit of the unreaped child');
        await rig.kill(p.pid);
        await rig.until(() => c.events.some((e) => e.kind === 'exit' && e.pid === p.pid), 'the exit of the reaped process');
        assert.equal(c.events.filter((e) => e.kind === 'exit' && e.pid === child).length, 1, 'one exit per process');
      } finally {
        c.watch.close();
        await rig.cleanup();
      }
    },
  },
  {
    name: 'after close nothing more is told',
    async check(rig) {
      const c = await watching(rig);
      try {
        c.watch.close();
        const told = c.events.length;
        const p = await rig.start();
        await rig.kill(p.pid);
        await rig.idle();
        assert.equal(c.events.length, told);
      } finally {
        await rig.cleanup();
      }
    },
  },
];
