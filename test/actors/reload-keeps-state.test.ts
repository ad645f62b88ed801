/**
 * A reload keeps the state of an instance whose settings changed, as keepalived 2.2.7 does (vrrp.c vrrp_exist,
 * clear_diff_vrrp, restore_vrrp_state; vrrp_scheduler.c vrrp_init_state; measured in a namespace with notify_fifo:
 * a master and a backup of a sync group and one outside any, each with a new priority, VIP or advert_int, told
 * nothing at the reload): a master goes on as master with its new settings, adding the addresses it did not hold
 * (announced) and releasing those it drops; a backup stays backup; nobody is told, and the peer never takes over.
 * A reload that makes it another virtual router (here its VRID) restarts it; one that brings a fault tells it.
 * VrrpNode on a simulated LAN, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment, type Frame } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';

interface InstanceOptions {
  readonly priority: number;
  readonly vips: readonly string[];
  readonly advertInt?: number;
  readonly vrid?: number;
  readonly lines?: string;
}

function instance(name: string, vrid: number, o: InstanceOptions): string {
  return `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${o.vrid ?? vrid}
  priority ${o.priority}
  advert_int ${o.advertInt ?? 1}
${o.lines ?? ''}  virtual_ipaddress {
${o.vips.map((v) => `    ${v}/24\n`).join('')}  }
}
`;
}

const group = (members: readonly string[]): string => `vrrp_sync_group G {\n  group {\n    ${members.join('\n    ')}\n  }\n}\n`;

const spec = (text: string) => nodeSpec(loadConfigText(text, 'test.conf').config);

function world() {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(3), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const bus = new Bus();
  /** What the nodes tell (notifications, transitions, group changes, address changes), as short lines. */
  const told: string[] = [];
  bus.messages$.subscribe((m) => {
    if (m.kind === 'notify') told.push(`${m.node} notify ${m.instance} ${m.state}`);
    if (m.kind === 'transition') told.push(`${m.node} transition ${m.instance} ${m.from}>${m.to}`);
    if (m.kind === 'sync') told.push(`${m.node} sync ${m.group} ${m.from}>${m.to}`);
    if (m.kind === 'vip') told.push(`${m.node} vip ${m.instance} ${m.action} ${m.address}`);
  });
  const frames: { at: number; frame: Frame }[] = [];
  const tap = segment.attach('tap', 'eth0');
  tap.addresses.add('192.168.77.250');
  tap.listen((frame) => frames.push({ at: clock.now(), frame }));
  const hosts = new Map<string, SimHost>();
  const nodes = new Map<string, VrrpNode>();
  const add = (name: string, address: string, config: string): { host: SimHost; node: VrrpNode } => {
    const host = new SimHost(name, hosts.size);
    host.addInterface('eth0', segment, [{ address, prefix: 24, family: 4 }]);
    hosts.set(name, host);
    const node = new VrrpNode(name, spec(config), { clock, link: host, addresses: host, announcer: host }, bus);
    nodes.set(name, node);
    return { host, node };
  };
  const states = (name: string): Record<string, string> => {
    const node = nodes.get(name)!;
    const out: Record<string, string> = {};
    for (const [instanceName, runner] of node.runners) out[instanceName] = runner.state;
    for (const [groupName, state] of node.groupStates()) out[groupName] = state;
    return out;
  };
  /** Advertisements one source sent for a VRID after `since` (the VRRP message: VRID at byte 1, priority at 2). */
  const adverts = (source: string, vrid: number, since: number): { at: number; priority: number }[] =>
    frames
      .filter((f) => f.at > since && f.frame.source === source && f.frame.bytes[1] === vrid)
      .map((f) => ({ at: f.at, priority: f.frame.bytes[2]! }));
  return { clock, told, add, states, adverts };
}

test('a reload that changes the members of a sync group keeps their states and their group: nothing told, the new settings applied', () => {
  const w = world();
  const a = (o: { p1: number; vips2: readonly string[] }): string =>
    group(['VI_1', 'VI_2']) + instance('VI_1', 51, { priority: o.p1, vips: ['192.168.77.151'] }) + instance('VI_2', 52, { priority: 150, vips: o.vips2 });
  const b = (o: { p1: number; vips2: readonly string[]; lines?: string }): string =>
    group(['VI_1', 'VI_2']) + instance('VI_1', 51, { priority: o.p1, vips: ['192.168.77.151'], lines: o.lines }) + instance('VI_2', 52, { priority: 100, vips: o.vips2 });
  const na = w.add('a', '192.168.77.11', a({ p1: 150, vips2: ['192.168.77.152', '192.168.77.172'] }));
  const nb = w.add('b', '192.168.77.12', b({ p1: 100, vips2: ['192.168.77.152', '192.168.77.172'] }));
  na.node.start();
  nb.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('a'), { VI_1: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
  assert.deepEqual(w.states('b'), { VI_1: 'BACKUP', VI_2: 'BACKUP', G: 'BACKUP' });
  const sentBefore = na.node.runners.get('VI_1')!.counters.advertsSent;
  const heardBefore = nb.node.runners.get('VI_1')!.counters.advertsReceived;
  const told = w.told.length;
  const announced = na.host.announcements.length;

  // a: VI_1's priority up, VI_2 trades 192.168.77.172 for 192.168.77.162. b: the same trade (VRRPv2 backups check
  // the address list), VI_1's priority up, still below a's, and a GARP setting.
  const reloadAt = w.clock.now();
  const resultA = na.node.reconfigure(spec(a({ p1: 160, vips2: ['192.168.77.152', '192.168.77.162'] })));
  const resultB = nb.node.reconfigure(spec(b({ p1: 110, vips2: ['192.168.77.152', '192.168.77.162'], lines: '  garp_master_repeat 3\n' })));
  assert.deepEqual(resultA, { kept: ['VI_1', 'VI_2'], started: [], stopped: [] });
  assert.deepEqual(resultB, { kept: ['VI_1', 'VI_2'], started: [], stopped: [] });
  // The addresses VI_2 holds now change, and nothing else is told.
  assert.deepEqual(w.told.slice(told), ['a vip VI_2 add 192.168.77.162', 'a vip VI_2 del 192.168.77.172']);
  // Announced at once: VI_2's addresses (one was added), not VI_1's.
  const atReload = na.host.announcements.slice(announced).flatMap((x) => x.addresses);
  assert.ok(atReload.includes('192.168.77.162') && atReload.includes('192.168.77.152'), JSON.stringify(atReload));
  assert.ok(!atReload.includes('192.168.77.151'), JSON.stringify(atReload));

  w.clock.runUntil(30_000);
  assert.deepEqual(w.told.slice(told + 2), [], 'no state was told, on either node');
  assert.deepEqual(w.states('a'), { VI_1: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
  assert.deepEqual(w.states('b'), { VI_1: 'BACKUP', VI_2: 'BACKUP', G: 'BACKUP' });
  assert.deepEqual(na.host.heldAddresses().sort(), ['192.168.77.151', '192.168.77.152', '192.168.77.162']);
  // VI_1 added nothing: no announcement, not even garp_master_delay's (5 s) burst, which follows becoming master only.
  assert.ok(!na.host.announcements.slice(announced).some((x) => x.addresses.includes('192.168.77.151')), JSON.stringify(na.host.announcements.slice(announced)));
  assert.deepEqual(nb.host.heldAddresses(), []);
  // a advertises the new priority and never stopped (no priority 0); b never advertised (it never took over).
  const after = w.adverts('192.168.77.11', 51, reloadAt);
  assert.ok(after.length >= 19, `${after.length} advertisements`);
  assert.deepEqual([...new Set(after.map((x) => x.priority))], [160]);
  assert.deepEqual(w.adverts('192.168.77.12', 51, 0), []);
  // The statistics go on from the old instance's (keepalived copies them).
  assert.ok(na.node.runners.get('VI_1')!.counters.advertsSent >= sentBefore + after.length);
  assert.ok(nb.node.runners.get('VI_1')!.counters.advertsReceived >= heardBefore + 19);
});

test("a reload that changes an instance outside any group keeps it master with its new advert_int; a new VRID restarts it", () => {
  const w = world();
  const c = (o: InstanceOptions): string => instance('VI_3', 53, o);
  const nc = w.add('c', '192.168.77.13', c({ priority: 100, vips: ['192.168.77.153'] }));
  nc.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('c'), { VI_3: 'MASTER' });
  const told = w.told.length;

  const reloadAt = w.clock.now();
  assert.deepEqual(nc.node.reconfigure(spec(c({ priority: 110, vips: ['192.168.77.153'], advertInt: 2 }))), { kept: ['VI_3'], started: [], stopped: [] });
  w.clock.runUntil(30_000);
  assert.deepEqual(w.told.slice(told), []);
  assert.deepEqual(w.states('c'), { VI_3: 'MASTER' });
  const after = w.adverts('192.168.77.13', 53, reloadAt);
  const gaps = after.slice(1).map((x, i) => x.at - after[i]!.at);
  assert.ok(gaps.length >= 8 && gaps.every((g) => g === 2000), JSON.stringify(gaps));
  assert.deepEqual([...new Set(after.map((x) => x.priority))], [110]);

  // Another VRID is another virtual router (keepalived vrrp_exist): the old one stops, the new one starts.
  const told2 = w.told.length;
  assert.deepEqual(nc.node.reconfigure(spec(c({ priority: 110, vips: ['192.168.77.153'], vrid: 63 }))), { kept: [], started: ['VI_3'], stopped: ['VI_3'] });
  assert.deepEqual(w.told.slice(told2, told2 + 4), ['c vip VI_3 del 192.168.77.153', 'c notify VI_3 STOP', 'c transition VI_3 MASTER>STOP', 'c notify VI_3 BACKUP']);
});

test('a reload that gives a master member a fault tells it: FAULT for it and its group, the addresses released', () => {
  const w = world();
  const config = (lines: string): string =>
    group(['VI_1', 'VI_2']) + instance('VI_1', 51, { priority: 100, vips: ['192.168.77.151'], lines }) + instance('VI_2', 52, { priority: 100, vips: ['192.168.77.152'] });
  const na = w.add('a', '192.168.77.11', config(''));
  const eth1 = new LanSegment('eth1', w.clock, new SeededRandom(4), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  na.host.addInterface('eth1', eth1, [{ address: '192.168.77.211', prefix: 24, family: 4 }]);
  na.host.setLink('eth1', false, true);
  na.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('a'), { VI_1: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
  const told = w.told.length;

  assert.deepEqual(na.node.reconfigure(spec(config('  track_interface {\n    eth1\n  }\n'))).kept, ['VI_1', 'VI_2']);
  w.clock.runUntil(12_000);
  assert.deepEqual(w.states('a'), { VI_1: 'FAULT', VI_2: 'FAULT', G: 'FAULT' });
  const lines = w.told.slice(told);
  for (const line of ['a notify VI_1 FAULT', 'a transition VI_1 MASTER>FAULT', 'a notify VI_2 FAULT', 'a sync G MASTER>FAULT', 'a vip VI_1 del 192.168.77.151', 'a vip VI_2 del 192.168.77.152']) {
    assert.ok(lines.includes(line), `${line} in ${JSON.stringify(lines)}`);
  }
  assert.ok(!lines.some((l) => /STOP|BACKUP/.test(l)), JSON.stringify(lines));
  assert.deepEqual(na.host.heldAddresses(), []);
});

test('a reload that renames an instance keeps it master, telling nothing; from then on it is told by its new name', () => {
  const w = world();
  const nc = w.add('c', '192.168.77.13', instance('VI_3', 53, { priority: 100, vips: ['192.168.77.153'] }));
  nc.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('c'), { VI_3: 'MASTER' });
  const sentBefore = nc.node.runners.get('VI_3')!.counters.advertsSent;
  const told = w.told.length;
  const announced = nc.host.announcements.length;

  // keepalived vrrp_exist matches the virtual router (VRID, family, interface...), not the name.
  const reloadAt = w.clock.now();
  assert.deepEqual(nc.node.reconfigure(spec(instance('VI_RENAMED', 53, { priority: 100, vips: ['192.168.77.153'] }))), { kept: ['VI_RENAMED'], started: [], stopped: [] });
  w.clock.runUntil(30_000);
  assert.deepEqual(w.told.slice(told), [], 'a rename tells nothing');
  assert.deepEqual(w.states('c'), { VI_RENAMED: 'MASTER' });
  assert.deepEqual(nc.host.heldAddresses(), ['192.168.77.153']);
  assert.deepEqual(nc.host.announcements.slice(announced), [], 'it added no address: nothing announced');
  // It never stopped advertising (no priority 0, no gap) and its statistics go on.
  const after = w.adverts('192.168.77.13', 53, reloadAt);
  const gaps = after.slice(1).map((x, i) => x.at - after[i]!.at);
  assert.ok(after.length >= 19 && gaps.every((g) => g === 1000), JSON.stringify(gaps));
  assert.deepEqual([...new Set(after.map((x) => x.priority))], [100]);
  assert.ok(nc.node.runners.get('VI_RENAMED')!.counters.advertsSent >= sentBefore + after.length);

  nc.node.stop();
  assert.ok(w.told.slice(told).includes('c notify VI_RENAMED STOP'), JSON.stringify(w.told.slice(told)));
  assert.ok(!w.told.slice(told).some((l) => l.includes('VI_3')), JSON.stringify(w.told.slice(told)));
});

test('a reload where two instances swap names matches each to its own virtual router: states kept, nothing told', () => {
  const w = world();
  // a: master of VRID 51, backup of VRID 52 (b's); b the other way round.
  const a = (first: string, second: string): string =>
    instance(first, 51, { priority: 150, vips: ['192.168.77.151'] }) + instance(second, 52, { priority: 100, vips: ['192.168.77.152'] });
  const na = w.add('a', '192.168.77.11', a('VI_1', 'VI_2'));
  const nb = w.add('b', '192.168.77.12', instance('VI_1', 51, { priority: 100, vips: ['192.168.77.151'] }) + instance('VI_2', 52, { priority: 150, vips: ['192.168.77.152'] }));
  na.node.start();
  nb.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('a'), { VI_1: 'MASTER', VI_2: 'BACKUP' });
  assert.deepEqual(w.states('b'), { VI_1: 'BACKUP', VI_2: 'MASTER' });
  const told = w.told.length;

  const reloadAt = w.clock.now();
  const result = na.node.reconfigure(spec(a('VI_2', 'VI_1')));
  assert.deepEqual({ ...result, kept: [...result.kept].sort() }, { kept: ['VI_1', 'VI_2'], started: [], stopped: [] });
  // Each name now runs the other virtual router, in the state that router had.
  assert.equal(na.node.runners.get('VI_2')!.spec.vrid, 51);
  assert.equal(na.node.runners.get('VI_1')!.spec.vrid, 52);
  w.clock.runUntil(30_000);
  assert.deepEqual(w.told.slice(told), [], 'nobody is told, on either node');
  assert.deepEqual(w.states('a'), { VI_2: 'MASTER', VI_1: 'BACKUP' });
  assert.deepEqual(w.states('b'), { VI_1: 'BACKUP', VI_2: 'MASTER' });
  assert.deepEqual(na.host.heldAddresses(), ['192.168.77.151']);
  assert.deepEqual(nb.host.heldAddresses(), ['192.168.77.152']);
  // a went on advertising VRID 51 only, b VRID 52 only.
  assert.ok(w.adverts('192.168.77.11', 51, reloadAt).length >= 19);
  assert.deepEqual(w.adverts('192.168.77.11', 52, reloadAt), []);
  assert.deepEqual(w.adverts('192.168.77.12', 51, reloadAt), []);
});

test('a reload that renames a sync group member keeps it and its group master, telling nothing', () => {
  const w = world();
  const config = (first: string): string =>
    group([first, 'VI_2']) + instance(first, 51, { priority: 150, vips: ['192.168.77.151'] }) + instance('VI_2', 52, { priority: 150, vips: ['192.168.77.152'] });
  const na = w.add('a', '192.168.77.11', config('VI_1'));
  na.node.start();
  w.clock.runUntil(10_000);
  assert.deepEqual(w.states('a'), { VI_1: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
  const told = w.told.length;

  assert.deepEqual(na.node.reconfigure(spec(config('VI_NEW'))), { kept: ['VI_NEW', 'VI_2'], started: [], stopped: [] });
  w.clock.runUntil(30_000);
  assert.deepEqual(w.told.slice(told), []);
  assert.deepEqual(w.states('a'), { VI_NEW: 'MASTER', VI_2: 'MASTER', G: 'MASTER' });
  assert.deepEqual(na.host.heldAddresses().sort(), ['192.168.77.151', '192.168.77.152']);
});
