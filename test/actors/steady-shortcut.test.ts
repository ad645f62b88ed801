/**
 * The steady-state shortcut of a backup (actors/vrrp/vrrp-instance-runner.ts): the same advertisement from the same
 * master, in the snapshot the machine left after answering it, restarts Master_Down_Timer without the machine.
 * It must never change an outcome: same transitions at the same virtual times as when every advertisement goes
 * through the machine (the shortcut switched off), exact Master_Down_Interval after the last advertisement, and a
 * change of the backup's own priority still preempts. An observed run keeps the shortcut, and its inspector hears
 * of every advertisement so answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus, type BusMessage } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';
import type { InspectionEvent } from 'xstate';
import { chkTrackedConfig } from './chk-tracked-config.js';

function config(priority: number, extra = ''): string {
  return chkTrackedConfig(priority, extra, ['192.168.77.100/24']);
}

interface World {
  clock: VirtualClock;
  nodes: Map<string, VrrpNode>;
  transitions: string[];
  /** When each node last sent an advertisement. */
  lastSent: Map<string, number>;
  /** Advertisements the backup's inspector was told its shortcut answered (observed mode). */
  absorbed: number;
  /** ADVERTISEMENT events XState reported to the backup's inspector (observed mode). */
  inspected: number;
}

/** How the nodes run: the shortcut on (default), off, or on and observed (an inspector with its `absorbed` hook). */
type Mode = 'plain' | 'no-shortcut' | 'observed';

function world(mode: Mode, backupExtra = '', bothExtra = ''): World {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(3), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const bus = new Bus();
  const transitions: string[] = [];
  const lastSent = new Map<string, number>();
  bus.messages$.subscribe((m: BusMessage) => {
    if (m.kind === 'transition') transitions.push(`${m.at} ${m.node} ${m.from}>${m.to}`);
    if (m.kind === 'advert_sent') lastSent.set(m.node, m.at);
  });
  const nodes = new Map<string, VrrpNode>();
  const w: World = { clock, nodes, transitions, lastSent, absorbed: 0, inspected: 0 };
  for (const [name, address, conf] of [
    ['m', '192.168.77.11', config(150, bothExtra)],
    ['b', '192.168.77.12', config(100, `${bothExtra}\n${backupExtra}`)],
  ] as const) {
    const host = new SimHost(name, 0);
    host.addInterface('eth0', segment, [{ address, prefix: 24, family: 4 }]);
    const inspect =
      mode === 'observed'
        ? Object.assign(
            (e: InspectionEvent) => {
              if (name === 'b' && e.type === '@xstate.event' && e.event.type === 'ADVERTISEMENT') w.inspected++;
            },
            { absorbed: () => void (name === 'b' && w.absorbed++) },
          )
        : undefined;
    const transports = { clock, link: host, addresses: host, announcer: host, steadyShortcut: mode !== 'no-shortcut' };
    const node = new VrrpNode(name, nodeSpec(loadConfigText(conf, `${name}.conf`).config), transports, bus, inspect);
    nodes.set(name, node);
    node.start();
  }
  return w;
}

test('a steady backup answers repeated advertisements without its machine, and takes over exactly on time', () => {
  const w = world('plain');
  w.clock.runUntil(60_000);
  const backup = w.nodes.get('b')!.runners.get('VI_1')!;
  assert.equal(backup.state, 'BACKUP');
  assert.ok(backup.shortcuts >= 50, `${backup.shortcuts} of ${backup.counters.advertsReceived} advertisements took the shortcut`);
  // The master stops without a word.
  w.nodes.get('m')!.halt();
  const heard = w.lastSent.get('m')! + 1;
  w.clock.runUntil(70_000);
  assert.equal(backup.state, 'MASTER');
  // Master_Down_Interval for priority 100, VRRPv2, advert_int 1: 3 s + (256 − 100)/256 s = 3609.375 ms after the
  // last advertisement was heard (1 ms latency).
  assert.equal(w.transitions.at(-1), `${heard + 3609.375} b BACKUP>MASTER`);
});

test('with the shortcut or with every advertisement through the machine, the same transitions at the same times', () => {
  for (const [extra, both] of [['', ''], ['nopreempt', ''], ['preempt_delay 2', ''], ['', 'version 3'], ['state MASTER', 'version 3']]) {
    const runs = (['plain', 'no-shortcut', 'observed'] as const).map((mode) => {
      const w = world(mode, extra, both);
      w.clock.runUntil(20_000);
      w.nodes.get('b')!.track('script:chk', true); // the backup's priority rises to 160 > 150: it preempts (or not)
      w.clock.runUntil(40_000);
      w.nodes.get('b')!.track('script:chk', false);
      w.nodes.get('m')!.halt();
      w.clock.runUntil(60_000);
      const b = w.nodes.get('b')!.runners.get('VI_1')!;
      return { transitions: w.transitions, shortcuts: b.shortcuts, received: b.counters.advertsReceived, absorbed: w.absorbed, inspected: w.inspected };
    });
    const [plain, off, observed] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    assert.deepEqual(plain.transitions, off.transitions, `${extra} ${both}`);
    assert.deepEqual(observed.transitions, off.transitions, `${extra} ${both} observed`);
    assert.equal(off.shortcuts, 0, 'without the shortcut everything goes through the machine');
    assert.ok(plain.shortcuts > 5, `${extra}: ${plain.shortcuts} shortcuts`);
    // Observed, the shortcut stays on, and the inspector hears of every advertisement: from XState or the hook.
    assert.equal(observed.shortcuts, plain.shortcuts, `${extra} ${both}: observed shortcuts`);
    assert.equal(observed.absorbed, observed.shortcuts);
    assert.equal(observed.absorbed + observed.inspected, observed.received, `${extra} ${both}: every advertisement told`);
  }
});

test('a backup whose own priority rises above the master preempts although it was steady', () => {
  const w = world('plain');
  w.clock.runUntil(20_000);
  const backup = w.nodes.get('b')!.runners.get('VI_1')!;
  assert.ok(backup.shortcuts > 10);
  w.nodes.get('b')!.track('script:chk', true);
  w.clock.runUntil(30_000);
  assert.equal(backup.state, 'MASTER');
  assert.equal(w.nodes.get('m')!.runners.get('VI_1')!.state, 'BACKUP');
});
