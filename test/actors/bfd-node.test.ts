/**
 * Two BFD nodes on a simulated segment (virtual clock, seeded randomness): their sessions come Up, go Down within
 * the Detection Time when the link is cut, come back when it heals; packets that fail GTSM, name no session or
 * carry authentication are dropped with their reason and change nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BfdNode } from '../../actors/bfd/bfd-node.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';
import type { BfdSessionChange } from '../../actors/bfd/bfd-session-runner.js';
import { encodeBfdControl } from '../../protocol/bfd-codec.js';
import { signBfdControl } from '../../protocol/bfd-auth.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimulatedBfdLink } from '../../sim/simulated-bfd-link.js';
import { bfdSessionSpec } from '../bfd-session-spec.js';

const A = '192.168.77.11';
const B = '192.168.77.12';

const spec = (name: string, neighbor: string, source: string, over: Partial<Omit<BfdSessionSpec, 'params'>> = {}): BfdSessionSpec => bfdSessionSpec(name, neighbor, source, {}, over);

function world(seed: number, specsA: BfdSessionSpec[], specsB: BfdSessionSpec[]) {
  const clock = new VirtualClock();
  const random = new SeededRandom(seed);
  const segment = new LanSegment('lan', clock, random, { latencyMs: 0.3, jitterMs: 0.2, loss: 0, duplication: 0, reorder: 0 });
  const portA = segment.attach('a', 'eth0');
  const portB = segment.attach('b', 'eth0');
  portA.addresses.add(A);
  portB.addresses.add(B);
  const a = new BfdNode(new SimulatedBfdLink([portA], random), clock, random, specsA);
  const b = new BfdNode(new SimulatedBfdLink([portB], random), clock, random, specsB);
  const log: BfdSessionChange[] = [];
  a.changes$.subscribe((c) => log.push(c));
  b.changes$.subscribe((c) => log.push(c));
  a.start();
  b.start();
  return { clock, segment, portA, portB, a, b, log };
}

test('sessions come Up, fall Down within the Detection Time on a cut link, and come back', () => {
  const w = world(3, [spec('to-b', B, A)], [spec('to-a', A, B)]);
  w.clock.runUntil(5000);
  assert.equal(w.a.session('to-b')!.state, 'Up');
  assert.equal(w.b.session('to-a')!.state, 'Up');
  assert.equal(w.a.session('to-b')!.detectionTimeMs, 30);
  // Cut: each side is Down no later than one Detection Time (30 ms) after the last packet it heard, which left
  // the other side at most one (jittered) interval before the cut, plus the segment's delay.
  let lastAtA = 0;
  w.portA.listen(() => (lastAtA = w.clock.now()));
  w.clock.runFor(100);
  const cut = w.clock.now();
  w.segment.partition([['a'], ['b']]);
  w.clock.runFor(200);
  const down = w.log.filter((c) => c.to === 'Down' && c.at > cut);
  assert.equal(down.length, 2);
  const downA = down.find((c) => c.name === 'to-b')!;
  assert.equal(downA.at, lastAtA + 30, 'a is Down exactly one Detection Time after its last packet');
  assert.equal(downA.localDiag, 1);
  for (const c of down) assert.ok(c.at - cut <= 30 + 0.5 + 1e-9, `${c.name} Down ${c.at - cut} ms after the cut`);
  w.segment.heal();
  w.clock.runFor(5000);
  assert.equal(w.a.session('to-b')!.state, 'Up');
  assert.equal(w.b.session('to-a')!.state, 'Up');
  assert.equal(w.a.dropCounts.size, 0, 'nothing dropped on a clean link');
  w.a.stop();
  w.b.stop();
});

test('drops: TTL under 255 (GTSM), no session, authentication not configured; a max_hops session accepts fewer hops', () => {
  const w = world(4, [spec('to-b', B, A)], [spec('to-a', A, B)]);
  w.clock.runUntil(3000);
  const up = w.a.session('to-b')!;
  assert.equal(up.state, 'Up');
  const good = { version: 1, diag: 0, state: 3 as const, poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false, detectMult: 3, myDiscriminator: w.b.session('to-a')!.localDiscriminator, yourDiscriminator: up.localDiscriminator, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, requiredMinEchoRxUs: 0 };
  const inject = (bytes: Uint8Array, ttl: number, from = B): void =>
    w.portB.send({ family: 4, source: from, destination: A, ttl, protocol: 17, udp: { sourcePort: 50000, destinationPort: 3784 }, bytes });
  // A Down from the neighbor with TTL 254 would take the session down; it is dropped instead.
  inject(encodeBfdControl({ ...good, state: 1 }), 254);
  inject(encodeBfdControl({ ...good, yourDiscriminator: 0x12345 }), 255);
  inject(encodeBfdControl(signBfdControl({ ...good, state: 1 }, { type: 'simple-password', keys: [{ keyId: 1, secret: new Uint8Array([1]) }] }, 0)), 255);
  inject(encodeBfdControl({ ...good, state: 1 }), 255, '192.168.77.99');
  w.portB.addresses.add('192.168.77.99');
  w.clock.runFor(5);
  assert.deepEqual(Object.fromEntries(w.a.dropCounts), { ttl: 1, no_session: 2, auth_unexpected: 1 });
  assert.equal(up.state, 'Up');
  // The same Down at TTL 255 is heard.
  inject(encodeBfdControl({ ...good, state: 1 }), 255);
  w.clock.runFor(1);
  assert.equal(up.state, 'Down');
  assert.equal(up.context.localDiag, 3, 'Neighbor Signaled Session Down');
  w.a.stop();
  w.b.stop();

  const m = world(5, [spec('to-b', B, A, { ttl: 255, maxHops: 2 })], [spec('to-a', A, B, { ttl: 253 })]);
  m.clock.runUntil(3000);
  assert.equal(m.a.session('to-b')!.state, 'Up', 'TTL 253 ≥ 255 − max_hops 2');
  assert.equal(m.b.session('to-a')!.state, 'Up');
  m.a.stop();
  m.b.stop();
  // Single hop (max_hops 0) against a neighbor sending 254: a hears nothing it accepts, and nobody comes Up.
  const n = world(6, [spec('to-b', B, A)], [spec('to-a', A, B, { ttl: 254 })]);
  n.clock.runUntil(5000);
  assert.notEqual(n.a.session('to-b')!.state, 'Up');
  assert.notEqual(n.b.session('to-a')!.state, 'Up');
  assert.ok((n.a.dropCounts.get('ttl') ?? 0) >= 4);
  n.a.stop();
  n.b.stop();
});

test('reconfigure (a reload): an unchanged session keeps running Up with its discriminator, a changed one restarts, a removed one stops, a new one starts', () => {
  const C = '192.168.77.13';
  const w = world(6, [spec('to-b', B, A), spec('to-b-slow', '192.168.77.14', A)], [spec('to-a', A, B)]);
  w.clock.runUntil(5000);
  const kept = w.a.session('to-b')!;
  assert.equal(kept.state, 'Up');
  const discriminator = kept.localDiscriminator;
  const changesBefore = w.log.length;
  const result = w.a.reconfigure([spec('to-b', B, A), spec('to-c', C, A)]);
  assert.deepEqual(result, { kept: ['to-b'], started: ['to-c'], stopped: ['to-b-slow'] });
  assert.equal(w.a.session('to-b'), kept, 'the same runner');
  assert.equal(w.a.session('to-b-slow'), undefined);
  assert.equal(w.a.session('to-c')!.state, 'Down');
  w.clock.runFor(2000);
  assert.equal(kept.state, 'Up');
  assert.equal(kept.localDiscriminator, discriminator);
  assert.equal(w.log.slice(changesBefore).filter((c) => c.name === 'to-b').length, 0, 'no change of state for the kept session');
  // A changed spec (another multiplier) is a new session: it starts Down and comes Up again.
  w.a.reconfigure([bfdSessionSpec('to-b', B, A, { detectMult: 4 })]);
  const changed = w.a.session('to-b')!;
  assert.notEqual(changed, kept);
  assert.equal(changed.state, 'Down');
  w.clock.runFor(5000);
  assert.equal(changed.state, 'Up');
  assert.equal(w.a.all.length, 1);
  w.a.stop();
  w.b.stop();
});

test('a peer that dies takes 100 sessions Down together: each is reported at its Detection Time and no machine follows until the expiries stop for 2 ms', () => {
  const n = 100;
  const ours = (i: number): string => `192.168.77.${100 + i}`;
  const w = world(
    16,
    Array.from({ length: n }, (_, i) => spec(`s${i}`, B, ours(i))),
    Array.from({ length: n }, (_, i) => spec(`p${i}`, ours(i), B)),
  );
  for (let i = 0; i < n; i++) w.portA.addresses.add(ours(i));
  w.clock.runUntil(5000);
  assert.ok(w.a.all.every((s) => s.state === 'Up' && s.detectionTimeMs === 30));
  const reports: { at: number; lastReceivedAt: number; followedBefore: number }[] = [];
  w.a.changes$.subscribe((c) => {
    if (c.to !== 'Down') return;
    // How many of the sessions reported Down so far had their machine follow already.
    reports.push({ at: c.at, lastReceivedAt: c.lastReceivedAt!, followedBefore: w.a.all.filter((s) => s.state === 'Down' && s.settled).length });
  });
  w.segment.partition([['a'], ['b']]);
  const end = w.clock.now() + 45;
  while (reports.length < n && w.clock.now() < end) w.clock.step();
  assert.equal(reports.length, n);
  for (const r of reports) assert.equal(r.at, r.lastReceivedAt + 30, 'reported at its Detection Time');
  const gaps = reports.slice(1).map((r, i) => r.at - reports[i]!.at);
  assert.ok(Math.max(...gaps) < 2, `one burst (largest gap ${Math.max(...gaps)} ms)`);
  assert.deepEqual(
    reports.map((r) => r.followedBefore),
    reports.map(() => 0),
    'no transition ran between the expiries',
  );
  const last = reports.at(-1)!.at;
  w.clock.runUntil(last + 1.9);
  assert.equal(w.a.all.filter((s) => s.settled).length, 0, 'still none 1.9 ms after the last');
  w.clock.runUntil(last + 2);
  assert.equal(w.a.all.filter((s) => s.settled).length, n, 'all follow once the expiries stopped for 2 ms');
  assert.ok(w.a.all.every((s) => s.state === 'Down' && s.context.localState === 'Down' && s.context.remoteDiscriminator === 0));
  w.a.stop();
  w.b.stop();
});
