/**
 * The steady-state shortcut of a backup (actors/vrrp/vrrp-instance-runner.ts): the same advertisement from the same
 * master, in the snapshot the machine left after answering it, restarts Master_Down_Timer without the machine.
 * It must never change an outcome: same transitions at the same virtual times as when every advertisement goes
 * through the machine (an observed run), exact Master_Down_Interval after the last advertisement, and a change
 * of the backup's own priority still preempts.
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

function config(priority: number, extra = ''): string {
  return `vrrp_script chk {
  script "/bin/true"
  weight 60
  init_fail
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority ${priority}
  advert_int 1
  track_script {
    chk
  }
  ${extra}
  virtual_ipaddress {
    192.168.77.100/24
  }
}`;
}

interface World {
  clock: VirtualClock;
  nodes: Map<string, VrrpNode>;
  transitions: string[];
  /** When each node last sent an advertisement. */
  lastSent: Map<string, number>;
}

function world(observed: boolean, backupExtra = '', bothExtra = ''): World {
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
  for (const [name, address, conf] of [
    ['m', '192.168.77.11', config(150, bothExtra)],
    ['b', '192.168.77.12', config(100, `${bothExtra}\n${backupExtra}`)],
  ] as const) {
    const host = new SimHost(name, 0);
    host.addInterface('eth0', segment, [{ address, prefix: 24, family: 4 }]);
    // An inspector makes every advertisement go through the machine.
    const inspect = observed ? () => undefined : undefined;
    const node = new VrrpNode(name, nodeSpec(loadConfigText(conf, `${name}.conf`).config), { clock, link: host, addresses: host, announcer: host }, bus, inspect);
    nodes.set(name, node);
    node.start();
  }
  return { clock, nodes, transitions, lastSent };
}

test('a steady backup answers repeated advertisements without its machine, and takes over exactly on time', () => {
  const w = world(false);
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
    const runs = [false, true].map((observed) => {
      const w = world(observed, extra, both);
      w.clock.runUntil(20_000);
      w.nodes.get('b')!.track('script:chk', true); // the backup's priority rises to 160 > 150: it preempts (or not)
      w.clock.runUntil(40_000);
      w.nodes.get('b')!.track('script:chk', false);
      w.nodes.get('m')!.halt();
      w.clock.runUntil(60_000);
      return { transitions: w.transitions, shortcuts: w.nodes.get('b')!.runners.get('VI_1')!.shortcuts };
    });
    assert.deepEqual(runs[0]!.transitions, runs[1]!.transitions, `${extra} ${both}`);
    assert.equal(runs[1]!.shortcuts, 0, 'an observed run sends everything through the machine');
    assert.ok(runs[0]!.shortcuts > 5, `${extra}: ${runs[0]!.shortcuts} shortcuts`);
  }
});

test('a backup whose own priority rises above the master preempts although it was steady', () => {
  const w = world(false);
  w.clock.runUntil(20_000);
  const backup = w.nodes.get('b')!.runners.get('VI_1')!;
  assert.ok(backup.shortcuts > 10);
  w.nodes.get('b')!.track('script:chk', true);
  w.clock.runUntil(30_000);
  assert.equal(backup.state, 'MASTER');
  assert.equal(w.nodes.get('m')!.runners.get('VI_1')!.state, 'BACKUP');
});
