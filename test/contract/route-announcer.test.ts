/**
 * The RouteAnnouncer contract (route-announcer-contract.ts) on the simulated host, and for real in a network
 * namespace (a TunRouteAnnouncer in a process of its own, route-announcer-cli.ts, judged by `ip route show table
 * all proto 86`, and SIGKILLed); broken announcers must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SimulatedRouteAnnouncer } from '../../sim/simulated-route-announcer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { AnnouncedRoute, RouteAnnouncer } from '../../transport/route-announcer.js';
import { createLan, requireNetns, type Lan } from '../netns/harness.js';
import { failingCases, runContract } from './contract.js';
import { routeAnnouncerContract, type RouteAnnouncerRig } from './route-announcer-contract.js';

const CLI = fileURLToPath(new URL('./route-announcer-cli.js', import.meta.url));

function simRig(wrap: (inner: SimulatedRouteAnnouncer) => RouteAnnouncer = (a) => a): RouteAnnouncerRig {
  const deletions: string[][] = [];
  const host = new SimulatedRouteAnnouncer(new VirtualClock(), 'd1', (c) => {
    if (!c.announced) for (const list of deletions) list.push(`${c.vip} table ${c.table}`);
  });
  return {
    announcer: wrap(host),
    routes: async () => host.table(),
    die: async () => host.processDied(),
    async watchDeletions() {
      const list: string[] = [];
      deletions.push(list);
      return async () => [...list].sort();
    },
  };
}

test('route announcer contract: simulated host', async (t) => {
  await runContract(t, routeAnnouncerContract, () => simRig());
});

/** The kernel's announced routes in a namespace: protocol 86, both families, `VIP table T`. */
export async function kernelAnnounced(lan: Lan, ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const { stdout } = await lan.exec(ns, ['ip', family, '-N', '-j', 'route', 'show', 'table', 'all', 'proto', '86']);
    for (const r of JSON.parse(stdout || '[]') as { dst: string; table?: string }[]) out.push(`${r.dst} table ${r.table ?? 'main'}`);
  }
  return out.sort();
}

/** `ip monitor route` in `ns`: the deletions of proto 86 routes the kernel tells its listeners. */
async function watchKernelDeletions(lan: Lan, ns: string): Promise<() => Promise<string[]>> {
  const monitor = lan.spawn(ns, ['ip', '-N', 'monitor', 'route']);
  const deleted = new Set<string>();
  let lines = 0;
  createInterface({ input: monitor.stdout! }).on('line', (line) => {
    lines++;
    const m = /^Deleted (?:unicast )?(\S+) .*?table (\d+).*proto 86/.exec(line);
    if (m) deleted.add(`${m[1]!.replace(/\/(32|128)$/, '')} table ${m[2]}`);
  });
  // The monitor prints nothing until something changes: a route of its own (not proto 86) is changed until the
  // monitor shows it, so it has joined the route groups (not a fixed time, which a loaded host may not keep).
  const sentinel = ['blackhole', '192.168.77.253/32', 'table', '251'];
  for (const start = performance.now(); lines === 0; ) {
    if (performance.now() - start > 20_000) throw new Error('ip monitor route printed nothing within 20 s');
    await lan.exec(ns, ['ip', 'route', 'replace', ...sentinel]);
    await lan.exec(ns, ['ip', 'route', 'del', ...sentinel]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return async () => {
    monitor.kill('SIGKILL');
    return [...deleted].sort();
  };
}

/** A TunRouteAnnouncer in its own process in `ns`: requests over stdin, answers on stdout. */
async function childAnnouncer(lan: Lan, ns: string): Promise<{ announcer: RouteAnnouncer; child: ChildProcess }> {
  // A device name of its own (global_defs announce_device), not the default.
  const child = lan.spawn(ns, [process.execPath, CLI, 'serve', 'vigil-ctr'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: ((line: string) => void)[] = [];
  const pending: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = answers.shift();
    if (waiter) waiter(line);
    else pending.push(line);
  });
  const next = (): Promise<string> => {
    const line = pending.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => answers.push(resolve));
  };
  assert.deepEqual(JSON.parse(await next()), { ready: true });
  const call = async (op: string, route?: AnnouncedRoute): Promise<void> => {
    child.stdin!.write(`${JSON.stringify({ op, ...route })}\n`);
    const answer = JSON.parse(await next()) as { ok?: true; error?: string };
    if (answer.error !== undefined) throw new Error(answer.error);
  };
  return {
    child,
    announcer: { announce: (r) => call('announce', r), withdraw: (r) => call('withdraw', r), close: () => call('close') },
  };
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

test('route announcer contract: TUN device and rtnetlink (namespace)', async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'announcectr', hosts: ['d'], v4Prefix: '192.168.77.X', v6Prefix: 'fd77::X' });
  let previous: ChildProcess | undefined;
  try {
    const ns = lan.host('d').ns;
    await runContract(t, routeAnnouncerContract, async () => {
      // One device per namespace: the previous case's process goes first (and its device with it).
      if (previous) await killed(previous);
      const { announcer, child } = await childAnnouncer(lan, ns);
      previous = child;
      return { announcer, routes: () => kernelAnnounced(lan, ns), die: () => killed(child), watchDeletions: () => watchKernelDeletions(lan, ns) };
    });
  } finally {
    if (previous) await killed(previous);
    await lan.cleanup();
  }
});

test('route announcer contract: broken announcers fail it', async () => {
  const delegate = (a: RouteAnnouncer): RouteAnnouncer => ({ announce: (r) => a.announce(r), withdraw: (r) => a.withdraw(r), close: () => a.close() });
  // Routes kept by a daemon that outlives the process (a persistent device, or routes via a real interface).
  const survives = await failingCases(routeAnnouncerContract, () => ({ ...simRig(), die: async () => {} }));
  assert.deepEqual(survives, ['the process dying (SIGKILL) takes every route, without its help', 'the routes going with the process are told to the listeners, IPv4 ones too (a speaker withdraws them)']);
  // The kernel's silent IPv4 flush (no guardian): the routes go, but no listener hears of the IPv4 one.
  const silent = await failingCases(routeAnnouncerContract, () => {
    const rig = simRig();
    const host = (rig.announcer as SimulatedRouteAnnouncer);
    return {
      ...rig,
      die: async () => {
        for (const route of host.table()) if (!route.includes(':')) host.forget(route);
        host.processDied();
      },
    };
  });
  assert.deepEqual(silent, ['the routes going with the process are told to the listeners, IPv4 ones too (a speaker withdraws them)']);
  const noWithdraw = await failingCases(routeAnnouncerContract, () => simRig((a) => ({ ...delegate(a), withdraw: async () => {} })));
  assert.ok(noWithdraw.includes('withdraw takes that route only; withdrawing an absent route is harmless'), noWithdraw.join(', '));
  // A withdrawal that forgets the table: every table's route to the address goes.
  const everyTable = await failingCases(routeAnnouncerContract, () =>
    simRig((a) => ({ ...delegate(a), withdraw: async (r) => { for (const table of [101, 102]) await a.withdraw({ vip: r.vip, table }); } })),
  );
  assert.ok(everyTable.includes('withdraw takes that route only; withdrawing an absent route is harmless'), everyTable.join(', '));
  const noClose = await failingCases(routeAnnouncerContract, () => simRig((a) => ({ ...delegate(a), close: async () => {} })));
  assert.deepEqual(noClose, ['close takes every route (vigil stops)']);
});
