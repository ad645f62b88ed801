/**
 * A set of network namespaces joined by point-to-point veths and bridges, for topologies the one-LAN harness
 * (test/netns/harness.ts) cannot make: hosts with several interfaces (a router, directors with a front and a back
 * side). Every namespace carries a per-process prefix; cleanup() kills the processes it started, by PID, and
 * deletes the namespaces; it also runs at process exit as a last resort. Importing this module does nothing.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { NamespaceSet, type ExecResult } from '../netns/namespace-set.js';

export { killPid, run, type ExecResult } from '../netns/namespace-set.js';

export interface Namespaces {
  /** The prefix of every namespace name (contains the caller's tag and this process's PID). */
  readonly prefix: string;
  /** Creates namespace `${prefix}-${name}` with lo up; returns its full name. */
  add(name: string): Promise<string>;
  exec(ns: string, cmd: readonly string[]): Promise<ExecResult>;
  /** A long-running command in a namespace; its PID is the command's own (`ip netns exec` execs it), killed by cleanup(). */
  spawn(ns: string, cmd: readonly string[], options?: SpawnOptions): ChildProcess;
  /** A veth from `a` (interface `aIf`) to `b` (interface `bIf`), both up. */
  veth(a: string, aIf: string, b: string, bIf: string): Promise<void>;
  /** SIGKILL by PID to every process started here, then deletes every namespace. Safe to call twice. */
  cleanup(): Promise<void>;
}

const live = new Set<Namespaces>();
let counter = 0;

/** `tag`: letters and digits naming the user (e.g. "ecmpdemo"), part of every namespace name. */
export function createNamespaces(tag: string): Namespaces {
  if (!/^[a-z0-9]{1,16}$/i.test(tag)) throw new Error(`namespace tag must be 1-16 letters/digits: ${tag}`);
  counter++;
  const prefix = `${tag}-${process.pid}-${counter}`;
  const set = new NamespaceSet(() => live.delete(self));

  const self: Namespaces = {
    prefix,
    async add(name) {
      const ns = `${prefix}-${name}`;
      await set.add(ns);
      await set.exec(ns, ['ip', 'link', 'set', 'lo', 'up']);
      return ns;
    },
    exec: (ns, cmd) => set.exec(ns, cmd),
    spawn(ns, cmd, options = {}) {
      const child = set.spawn(ns, cmd, options);
      // A child that cannot start is reported by whoever waits for it, not as an unhandled error.
      child.on('error', () => undefined);
      return child;
    },
    async veth(a, aIf, b, bIf) {
      await set.exec(a, ['ip', 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
      await set.exec(a, ['ip', 'link', 'set', aIf, 'up']);
      await set.exec(b, ['ip', 'link', 'set', bIf, 'up']);
    },
    cleanup: () => set.cleanup(),
  };
  live.add(self);
  return self;
}

// Last resort when a run crashes before its own cleanup: never leave namespaces or processes behind.
process.once('exit', () => {
  for (const set of [...live]) void set.cleanup();
});
