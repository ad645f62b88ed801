/**
 * `auth_type AH` through the runtime on a simulated LAN (the same VrrpNode as the daemon): what goes on the
 * segment is keepalived's datagram (protocol 51, valid ICV, one sequence number and one identification per
 * advertisement), keepalived's captured datagrams are heard, replays and wrong passwords are dropped and counted,
 * the counter follows keepalived's syncing rules and survives a reload of the instance.
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
import { ahKey, decodeAhHeader, IPPROTO_AH, openAhDatagram, verifyAhDatagram } from '../../protocol/ipsec-ah.js';

interface Options {
  readonly priority: number;
  readonly password?: string;
  readonly state?: 'MASTER' | 'BACKUP';
  readonly unicast?: readonly string[];
  readonly source?: string;
  readonly auth?: 'AH' | 'PASS' | 'none';
  readonly extra?: string;
}

function config(o: Options): string {
  const auth = o.auth ?? 'AH';
  return `vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface eth0
  virtual_router_id 51
  priority ${o.priority}
  advert_int 1
  ${o.extra ?? ''}
  ${o.unicast ? `unicast_src_ip ${o.source}\n  unicast_peer {\n${o.unicast.join('\n')}\n  }` : ''}
  ${auth === 'none' ? '' : `authentication {\n    auth_type ${auth}\n    auth_pass ${o.password ?? 'secret'}\n  }`}
  virtual_ipaddress {
    192.168.91.100/24
  }
}`;
}

function world() {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(5), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const bus = new Bus();
  const frames: { at: number; frame: Frame }[] = [];
  const tap = segment.attach('tap', 'eth0');
  tap.addresses.add('192.168.91.200');
  tap.listen((frame) => frames.push({ at: clock.now(), frame }));
  const hosts = new Map<string, SimHost>();
  const nodes = new Map<string, VrrpNode>();
  const add = (name: string, address: string, o: Options): VrrpNode => {
    const host = new SimHost(name, hosts.size);
    host.addInterface('eth0', segment, [{ address, prefix: 24, family: 4 }]);
    hosts.set(name, host);
    const loaded = loadConfigText(config(o), `${name}.conf`);
    const node = new VrrpNode(name, nodeSpec(loaded.config), { clock, link: host, addresses: host, announcer: host }, bus, undefined);
    nodes.set(name, node);
    node.start();
    return node;
  };
  const state = (name: string): string => nodes.get(name)!.runners.get('VI_1')!.state;
  const runner = (name: string) => nodes.get(name)!.runners.get('VI_1')!;
  return { clock, segment, bus, frames, hosts, nodes, add, state, runner };
}

const KEY = ahKey('secret');

test('two AH routers elect one master; the wire carries AH datagrams keepalived would accept', () => {
  const w = world();
  w.add('a', '192.168.91.1', { priority: 150 });
  w.add('b', '192.168.91.2', { priority: 100 });
  w.clock.runUntil(20_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'BACKUP');
  assert.ok(w.runner('b').counters.advertsReceived >= 15);
  assert.deepEqual(w.runner('b').counters.drops, {});
  const sent = w.frames.filter((f) => f.frame.source === '192.168.91.1');
  assert.ok(sent.length >= 15);
  const sequences = sent.map(({ frame }) => {
    assert.equal(frame.protocol, IPPROTO_AH);
    assert.equal(frame.bytes[9], IPPROTO_AH);
    assert.equal(frame.ttl, 255);
    const verdict = verifyAhDatagram(frame.bytes, KEY, false);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.equal(decodeAhHeader(frame.bytes, 20)!.spi, 0xc0a85b01, 'SPI = source address');
    const identification = (frame.bytes[4]! << 8) | frame.bytes[5]!;
    assert.equal(identification, verdict.sequence, 'identification and sequence both count adverts from 1');
    return verdict.sequence;
  });
  // The backup never sent: its counter followed the master's, so a takeover would continue above it.
  assert.deepEqual(sequences, sequences.map((_, i) => i + 1));
  assert.equal(w.frames.filter((f) => f.frame.source === '192.168.91.2').length, 0);
});

test("keepalived's captured datagrams are heard by a vigil backup; replaying one is dropped as auth_replay", () => {
  const w = world();
  w.add('v', '192.168.91.2', { priority: 100 });
  // keepalived 2.2.7, 192.168.91.1, priority 150, sequence 1 and 2 (test/protocol/ipsec-ah.test.ts).
  const captured = [
    '45c0004000010000ff33bf0dc0a85b01e000001270040000c0a85b01000000016a07950e1b330e6e18840d122133960102012abdc0a85b640000000000000000',
    '45c0004000020000ff33bf0cc0a85b01e000001270040000c0a85b01000000020cd1483bd1ec0d1fc72ed8322133960102012abdc0a85b640000000000000000',
  ].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
  const keepalived = w.segment.attach('keepalived', 'eth0');
  const send = (bytes: Uint8Array): void => keepalived.send({ family: 4, source: '192.168.91.1', destination: '224.0.0.18', ttl: 255, protocol: IPPROTO_AH, bytes });
  w.clock.runUntil(1000);
  send(captured[0]!);
  w.clock.runUntil(2000);
  send(captured[1]!);
  w.clock.runUntil(3000);
  send(captured[1]!); // a replay
  w.clock.runUntil(3500);
  const r = w.runner('v');
  assert.equal(r.counters.advertsReceived, 2);
  assert.deepEqual(r.counters.drops, { auth_replay: 1 });
  assert.equal(r.state, 'BACKUP', 'the master it heard keeps it backup');
  // Once keepalived falls silent, vigil takes over and numbers its adverts after keepalived's.
  w.clock.runUntil(10_000);
  assert.equal(r.state, 'MASTER');
  const first = w.frames.find((f) => f.frame.source === '192.168.91.2');
  assert.equal(decodeAhHeader(first!.frame.bytes, 20)!.sequence, 3);
});

test('a wrong password is dropped and counted as an authentication failure: both become master', () => {
  const w = world();
  w.add('a', '192.168.91.1', { priority: 150 });
  w.add('b', '192.168.91.2', { priority: 100, password: 'other' });
  w.clock.runUntil(10_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'MASTER');
  assert.ok((w.runner('a').counters.drops.auth ?? 0) >= 5, JSON.stringify(w.runner('a').counters.drops));
  assert.ok((w.runner('b').counters.drops.auth ?? 0) >= 5, JSON.stringify(w.runner('b').counters.drops));
  assert.equal(w.runner('b').counters.advertsReceived, 0);
});

test('AH and no authentication are different protocols: neither hears the other', () => {
  const w = world();
  w.add('a', '192.168.91.1', { priority: 150 });
  w.add('b', '192.168.91.2', { priority: 100, auth: 'none' });
  w.clock.runUntil(10_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'MASTER');
  assert.deepEqual(w.runner('b').counters.drops, {});
  assert.equal(w.runner('b').counters.advertsReceived, 0);
  assert.ok(w.frames.some((f) => f.frame.source === '192.168.91.2' && (f.frame.protocol ?? 112) === 112));
});

test('unicast: one sequence number and identification per advertisement for every peer, TTL outside the ICV', () => {
  const w = world();
  w.add('a', '192.168.91.1', { priority: 150, unicast: ['192.168.91.2', '192.168.91.200'], source: '192.168.91.1' });
  w.add('b', '192.168.91.2', { priority: 100, unicast: ['192.168.91.1'], source: '192.168.91.2' });
  w.clock.runUntil(10_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'BACKUP');
  assert.deepEqual(w.runner('b').counters.drops, {});
  const toTap = w.frames.filter((f) => f.frame.destination === '192.168.91.200');
  assert.ok(toTap.length >= 5);
  for (const { frame } of toTap) {
    assert.equal(verifyAhDatagram(frame.bytes, KEY, true).ok, true);
    assert.equal(verifyAhDatagram(frame.bytes, KEY, false).ok, false);
  }
  assert.deepEqual(
    toTap.map(({ frame }) => decodeAhHeader(frame.bytes, 20)!.sequence),
    toTap.map((_, i) => i + 1),
  );
  // b heard the same numbers: its counter is the last one a sent.
  const last = decodeAhHeader(toTap.at(-1)!.frame.bytes, 20)!.sequence;
  assert.ok(w.runner('b').counters.advertsReceived >= last - 1);
});

test("a restarted master's fresh counter: the others drop it as a replay until the numbers are synced", () => {
  // The owner (255, state MASTER) restarts with its counter at 0 while the other, master meanwhile, is far ahead.
  const w = world();
  w.add('a', '192.168.91.1', { priority: 255, state: 'MASTER' });
  w.add('b', '192.168.91.2', { priority: 100 });
  w.clock.runUntil(10_000);
  assert.equal(w.state('a'), 'MASTER');
  w.nodes.get('a')!.halt();
  w.hosts.get('a')!.crash();
  w.clock.runUntil(30_000);
  assert.equal(w.state('b'), 'MASTER');
  w.hosts.get('a')!.restart();
  const spec = nodeSpec(loadConfigText(config({ priority: 255, state: 'MASTER' }), 'a.conf').config);
  const host = w.hosts.get('a')!;
  const again = new VrrpNode('a', spec, { clock: w.clock, link: host, addresses: host, announcer: host }, w.bus, undefined);
  w.nodes.set('a', again);
  again.start();
  const restartedAt = w.clock.now();
  w.clock.runUntil(restartedAt + 5000);
  // b dropped a's first adverts (numbers from 1) as replays; a took b's number as it dropped b's advert (it is the
  // owner), so its next advert was news to b, and b yielded.
  assert.ok((w.runner('b').counters.drops.auth_replay ?? 0) >= 1, JSON.stringify(w.runner('b').counters.drops));
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'BACKUP');
  const yielded = w.runner('b').counters.releaseMaster;
  assert.equal(yielded, 1);
});

test('a master hearing a lower priority with larger numbers jumps past them, and wins (keepalived "Syncing seq_num")', () => {
  // b runs alone long enough to count far; a starts later behind a partition. Both are masters when it heals.
  const w = world();
  w.segment.partition([['b'], ['a', 'tap']]);
  w.add('b', '192.168.91.2', { priority: 100 });
  w.clock.runUntil(30_000);
  w.add('a', '192.168.91.1', { priority: 150 });
  w.clock.runUntil(60_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'MASTER');
  const healedAt = w.clock.now();
  w.segment.heal();
  w.clock.runUntil(65_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'BACKUP');
  const after = w.frames.filter((f) => f.at > healedAt).map((f) => ({ from: f.frame.source, n: decodeAhHeader(f.frame.bytes, 20)!.sequence }));
  const firstFromB = after.findIndex((f) => f.from === '192.168.91.2');
  const answer = after.slice(firstFromB).find((f) => f.from === '192.168.91.1');
  // a took b's number, added one (the sync) and one more for the advert it sent at once in answer.
  assert.equal(answer?.n, after[firstFromB]!.n + 2, JSON.stringify(after.slice(0, 8)));
  // b had dropped a's smaller numbers as replays until then.
  assert.ok((w.runner('b').counters.drops.auth_replay ?? 0) >= 1);
});

test('a reload that changes the instance keeps its counter (keepalived copies it)', () => {
  // The owner comes back as MASTER at once, so b never sends: only a kept counter makes its adverts news to b.
  const w = world();
  w.add('a', '192.168.91.1', { priority: 255, state: 'MASTER' });
  w.add('b', '192.168.91.2', { priority: 100 });
  w.clock.runUntil(10_000);
  assert.ok(w.frames.length >= 5);
  // A changed setting: a new VI_1 on a takes over from the old one, MASTER still (keepalived restore_vrrp_state).
  const changed = nodeSpec(loadConfigText(config({ priority: 255, state: 'MASTER', extra: 'garp_master_repeat 2' }), 'a.conf').config);
  const before = w.runner('a');
  assert.deepEqual(w.nodes.get('a')!.reconfigure(changed).kept, ['VI_1']);
  assert.notEqual(w.runner('a'), before, 'a new runner, with the new settings');
  w.clock.runUntil(20_000);
  assert.equal(w.state('a'), 'MASTER');
  assert.equal(w.state('b'), 'BACKUP');
  assert.deepEqual(w.runner('b').counters.drops, {});
  assert.ok(w.frames.every((f) => f.frame.source === '192.168.91.1'), 'b never had to take over');
  const numbers = w.frames.map((f) => decodeAhHeader(f.frame.bytes, 20)!.sequence);
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'the numbers go on across the reload');
});

test('the simulated link hands over the VRRP message and the whole datagram', () => {
  const w = world();
  const got: { bytes: string; datagram: string | undefined }[] = [];
  const host = new SimHost('probe', 9);
  host.addInterface('eth0', w.segment, [{ address: '192.168.91.9', prefix: 24, family: 4 }]);
  const channel = host.open({ interface: 'eth0', family: 4, sourceAddress: '192.168.91.9', unicastPeers: [], ipsecAh: true });
  channel.packets$.subscribe((p) => got.push({ bytes: Buffer.from(p.bytes).toString('hex'), datagram: p.datagram && Buffer.from(p.datagram).toString('hex') }));
  w.add('a', '192.168.91.1', { priority: 150 });
  w.clock.runUntil(5_000);
  assert.ok(got.length >= 1);
  for (const p of got) {
    const opened = openAhDatagram(new Uint8Array(Buffer.from(p.datagram!, 'hex')));
    assert.ok(opened.ok);
    assert.equal(Buffer.from(opened.payload).toString('hex'), p.bytes);
  }
});
