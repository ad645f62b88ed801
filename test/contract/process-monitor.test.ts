/**
 * The ProcessMonitor contract (process-monitor-contract.ts) on the real monitor (the kernel's process events
 * connector and /proc, with Python helper processes this test starts, forks, renames and kills by PID), on the
 * simulated host's process table, and on broken monitors that must fail it. The real monitor is also run in a
 * network namespace of its own, where the kernel does not tell: it must say so and still list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcConnectorMonitor } from '../../transport/real/proc-connector.js';
import { SimulatedProcessTable, commOf } from '../../sim/simulated-process-table.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { ProcessEntry, ProcessMonitor, ProcessReads } from '../../transport/process-monitor.js';
import { failingCases, pollUntil, runContract } from './contract.js';
import { processMonitorContract, type ProcessMonitorRig } from './process-monitor-contract.js';
import { requireNetns } from '../netns/harness.js';
import { inTempDir } from '../temp-dir.js';

const PYTHON = '/usr/bin/python3';

/**
 * The helper: SIGUSR2 forks a child (which sleeps, with the same handlers), SIGUSR1 renames the process to the
 * name in DIR/name-PID; each reports by a file in DIR. Killed children stay zombies: the helper never reaps. A
 * child says when it is alive: a signal that reaches it before Python has finished forking is dropped.
 */
const HELPER = `
import os, sys, time, signal, ctypes
d = sys.argv[1]
libc = ctypes.CDLL(None)
def put(name, text):
    tmp = f'{d}/.{name}'
    with open(tmp, 'w') as f: f.write(text)
    os.rename(tmp, f'{d}/{name}')
def rename(s, f):
    libc.prctl(15, open(f'{d}/name-{os.getpid()}', 'rb').read(), 0, 0, 0)
    put(f'renamed-{os.getpid()}', '')
def fork(s, f):
    pid = os.fork()
    if pid == 0:
        put(f'alive-{os.getpid()}', '')
        while True: time.sleep(100)
    put(f'child-{os.getpid()}', str(pid))
signal.signal(signal.SIGUSR1, rename)
signal.signal(signal.SIGUSR2, fork)
put(f'ready-{os.getpid()}', '')
while True: time.sleep(100)
`;

/**
 * Whether the kernel tells this process of process events: root, in the host's first network namespace (whose
 * inode number is fixed: PROC_NET_INIT_INO, include/linux/proc_ns.h; /proc/1 may not be readable in a container).
 */
function eventsHere(): boolean {
  try {
    return process.getuid?.() === 0 && readlinkSync('/proc/self/ns/net') === `net:[${0xeffffff9}]`;
  } catch {
    return false;
  }
}

function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

function realRig(dir: string, monitor: ProcessMonitor = new ProcConnectorMonitor()): ProcessMonitorRig {
  const started = new Map<number, ChildProcess>();
  const children = new Set<number>();
  let n = 0;
  const file = (name: string): string => join(dir, name);
  return {
    monitor,
    eventsHere: eventsHere(),
    async start() {
      const marker = `vigil-track-process-${process.pid}-${++n}`;
      const argv = [PYTHON, '-c', HELPER, dir, marker];
      const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      const pid = child.pid!;
      started.set(pid, child);
      await pollUntil(() => existsSync(file(`ready-${pid}`)), 'the helper started');
      return { pid, comm: 'python3', cmdline: argv.map((a) => `${a}\0`).join('') };
    },
    async fork(pid) {
      process.kill(pid, 'SIGUSR2');
      await pollUntil(() => existsSync(file(`child-${pid}`)), 'the helper forked');
      const child = Number(readFileSync(file(`child-${pid}`), 'utf8'));
      rmSync(file(`child-${pid}`));
      children.add(child);
      await pollUntil(() => existsSync(file(`alive-${child}`)), 'the forked child ready for signals');
      return child;
    },
    async rename(pid, comm) {
      writeFileSync(file(`name-${pid}`), comm);
      process.kill(pid, 'SIGUSR1');
      await pollUntil(() => existsSync(file(`renamed-${pid}`)), 'the helper renamed itself');
    },
    async kill(pid) {
      const child = started.get(pid);
      const exited = child ? new Promise((r) => child.once('exit', r)) : undefined;
      process.kill(pid, 'SIGKILL');
      if (exited) await exited;
      else await pollUntil(() => stateOf(pid) === undefined || stateOf(pid) === 'Z', 'the process died');
      started.delete(pid);
    },
    until: (done, what) => pollUntil(done, what, 20_000),
    idle: () => new Promise((r) => setTimeout(r, 300)),
    list: (reads) => new Promise((r) => monitor.list(reads, r)),
    async cleanup() {
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      children.clear();
      for (const pid of [...started.keys()]) await this.kill(pid);
    },
  };
}

const withDir = (body: (dir: string) => Promise<void>): Promise<void> => inTempDir('vigil-track-process-', body);

/** The simulated rig: the simulated host's process table on a virtual clock. */
function simRig(wrap: (table: SimulatedProcessTable) => ProcessMonitor = (t) => t, kernel?: ConstructorParameters<typeof SimulatedProcessTable>[1]): ProcessMonitorRig {
  const clock = new VirtualClock();
  const table = new SimulatedProcessTable(clock, kernel);
  const monitor = wrap(table);
  const parents = new Map<number, number>();
  let n = 0;
  const started = new Set<number>();
  return {
    monitor,
    eventsHere: kernel?.events ?? true,
    async start() {
      const argv = ['/usr/sbin/sim-worker', `--marker=${++n}`];
      const pid = table.start(argv);
      started.add(pid);
      return { pid, comm: commOf(argv[0]!), cmdline: argv.map((a) => `${a}\0`).join('') };
    },
    async fork(pid) {
      const child = table.fork(pid);
      parents.set(child, pid);
      return child;
    },
    async rename(pid, comm) {
      table.rename(pid, comm);
    },
    async kill(pid) {
      // A child whose parent lives stays a zombie (the parent does not reap); dying parents reap nothing here.
      const parent = parents.get(pid);
      table.exit(pid, { zombie: parent !== undefined && started.has(parent) });
      started.delete(pid);
    },
    async until(done, what) {
      while (!done() && clock.peek() !== undefined) clock.step();
      assert.ok(done(), `${what}: never, on the virtual clock`);
    },
    async idle() {
      clock.runFor(1000);
    },
    list(reads) {
      let out: readonly ProcessEntry[] | undefined;
      monitor.list(reads, (entries) => (out = entries));
      while (out === undefined && clock.peek() !== undefined) clock.step();
      return Promise.resolve(out ?? []);
    },
    async cleanup() {
      for (const pid of started) table.exit(pid);
      started.clear();
    },
  };
}

test('process monitor contract: simulated host with process events', (t) => runContract(t, processMonitorContract, () => simRig()));

test('process monitor contract: simulated host whose kernel does not tell', (t) =>
  runContract(t, processMonitorContract, () => simRig(undefined, { events: false, reason: 'no CONFIG_PROC_EVENTS on the simulated host' })));

test('process monitor contract: the real proc connector and /proc', { timeout: 120_000 }, async (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is needed for the helper processes (fork and rename on demand)`);
  if (!eventsHere() && process.env['VIGIL_REQUIRE_NETNS'] === '1') throw new Error('VIGIL_REQUIRE_NETNS=1 but the kernel does not tell this process of process events (root in the first network namespace)');
  await withDir((dir) => runContract(t, processMonitorContract, () => realRig(dir)));
});

type Fault = 'no exits' | 'uncut command lines' | 'tells after close' | 'exec unread';

function broken(fault: Fault) {
  return (table: SimulatedProcessTable): ProcessMonitor => ({
    list: (reads: ProcessReads, done) => table.list(fault === 'uncut command lines' ? { ...reads, cmdlineBytes: reads.cmdlineBytes > 0 ? 1 << 16 : 0 } : reads, done),
    watch: (reads, sink) => {
      const watch = table.watch(reads, {
        ...sink,
        event: (e) => {
          if (fault === 'no exits' && e.kind === 'exit') return;
          sink.event(fault === 'exec unread' && e.kind === 'exec' ? { ...e, identity: undefined } : e);
        },
      });
      return fault === 'tells after close' ? { close: () => {} } : watch;
    },
  });
}

test('process monitor contract: broken monitors fail it', async () => {
  const expected: Record<Fault, string> = {
    'no exits': 'with events: a fork names parent and child, a name change the new name, an exit the process (zombie or reaped)',
    'uncut command lines': 'a listing shows a running process with its name and its command line cut to the bytes asked',
    'tells after close': 'after close nothing more is told',
    'exec unread': 'with events: a start is a fork then an exec read as what the process runs now',
  };
  for (const [fault, name] of Object.entries(expected) as [Fault, string][]) {
    assert.deepEqual(await failingCases(processMonitorContract, () => simRig(broken(fault))), [name], fault);
  }
});

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('in a network namespace of its own the real monitor says the kernel will not tell, and still lists', { timeout: 60_000 }, async (t) => {
  if (!requireNetns(t)) return;
  const ns = `track-process-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const script = `
      import { ProcConnectorMonitor } from ${JSON.stringify(join(ROOT, 'dist/transport/real/proc-connector.js'))};
      const m = new ProcConnectorMonitor();
      const w = m.watch({ comm: true, cmdlineBytes: 0 }, {
        ready: (mode) => m.list({ comm: true, cmdlineBytes: 0 }, (entries) => {
          console.log(JSON.stringify({ mode, self: entries.some((e) => e.pid === process.pid && e.comm === 'node') }));
          w.close();
        }),
        event: () => console.log('"event"'),
        lost: () => {},
      });`;
    const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    const result = JSON.parse(out.trim().split('\n')[0]!) as { mode: { events: boolean; reason?: string }; self: boolean };
    assert.equal(result.mode.events, false);
    assert.match(result.mode.reason ?? '', /first network namespace/);
    assert.equal(result.self, true, 'the listing still shows the processes');
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
