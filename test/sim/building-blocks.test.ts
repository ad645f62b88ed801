/** The simulator's building blocks: virtual clock, seeded randomness, LAN segment delivery and faults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment, type Frame } from '../../sim/lan-segment.js';

test('virtual clock: timers fire at their own time, ties in insertion order, cancelled ones never', () => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  clock.setTimeout(() => fired.push(`a2@${clock.now()}`), 10);
  const id = clock.setTimeout(() => fired.push('never'), 15);
  clock.clearTimeout(id);
  clock.setTimeout(() => clock.setTimeout(() => fired.push(`nested@${clock.now()}`), 5), 12);
  clock.runUntil(18);
  assert.deepEqual(fired, ['a@10', 'a2@10', 'nested@17']);
  assert.equal(clock.now(), 18);
  clock.runFor(100);
  assert.deepEqual(fired, ['a@10', 'a2@10', 'nested@17', 'b@20']);
  assert.equal(clock.now(), 118);
  assert.equal(clock.peek(), undefined);
});

test('seeded random: same seed same stream, forks independent of the order they are taken', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const sa = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(sa, Array.from({ length: 100 }, () => b.next()));
  assert.ok(sa.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(sa, Array.from({ length: 100 }, () => new SeededRandom(43).next()));
  const r1 = new SeededRandom(7);
  const f1 = r1.fork('net');
  const r2 = new SeededRandom(7);
  r2.fork('other');
  const f2 = r2.fork('net');
  assert.equal(f1.next(), f2.next());
  // Roughly uniform: each tenth of [0,1) gets 10 % ± 1.5 % of 10,000 draws.
  const buckets = new Array<number>(10).fill(0);
  const r = new SeededRandom(1);
  for (let i = 0; i < 10_000; i++) buckets[Math.floor(r.next() * 10)]!++;
  for (const n of buckets) assert.ok(n > 850 && n < 1150, `bucket ${n}`);
});

function lan(quality: Partial<{ latencyMs: number; jitterMs: number; loss: number; duplication: number; reorder: number }> = {}) {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(9), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0, ...quality });
  const ports = ['a', 'b', 'c'].map((h, i) => {
    const port = segment.attach(h, 'eth0');
    port.addresses.add(`192.168.77.${i + 1}`);
    const got: [number, string][] = [];
    port.listen((f) => got.push([clock.now(), f.source]));
    return { port, got };
  });
  const frame = (source: string, destination: string): Frame => ({ family: 4, source, destination, ttl: 255, bytes: new Uint8Array([1]) });
  return { clock, segment, ports, frame };
}

test('LAN: multicast reaches every other port after the latency; unicast only its owner; unknown is no_route', () => {
  const { clock, segment, ports, frame } = lan({ latencyMs: 2 });
  ports[0]!.port.send(frame('192.168.77.1', '224.0.0.18'));
  ports[0]!.port.send(frame('192.168.77.1', '192.168.77.3'));
  ports[0]!.port.send(frame('192.168.77.1', '192.168.77.99'));
  clock.runFor(10);
  assert.deepEqual(ports[0]!.got, []);
  assert.deepEqual(ports[1]!.got, [[2, '192.168.77.1']]);
  assert.deepEqual(ports[2]!.got, [[2, '192.168.77.1'], [2, '192.168.77.1']]);
  assert.equal(segment.dropped.no_route, 1);
});

test('LAN: partitions cut across sides and heal; a down port neither sends nor receives', () => {
  const { clock, segment, ports, frame } = lan();
  segment.partition([['a'], ['b', 'c']]);
  ports[1]!.port.send(frame('192.168.77.2', '224.0.0.18'));
  clock.runFor(5);
  assert.deepEqual(ports[0]!.got, []);
  assert.equal(ports[2]!.got.length, 1);
  assert.equal(segment.dropped.partition, 1);
  segment.heal();
  ports[2]!.port.up = false;
  ports[1]!.port.send(frame('192.168.77.2', '224.0.0.18'));
  ports[2]!.port.send(frame('192.168.77.3', '224.0.0.18'));
  clock.runFor(5);
  assert.equal(ports[0]!.got.length, 1);
  assert.equal(ports[2]!.got.length, 1);
  assert.equal(segment.dropped.link_down, 2);
});

test('LAN: loss, duplication and jitter behave statistically as configured', () => {
  const { clock, segment, ports, frame } = lan({ loss: 0.3, duplication: 0.1, jitterMs: 4 });
  for (let i = 0; i < 2000; i++) ports[0]!.port.send(frame('192.168.77.1', '192.168.77.2'));
  clock.runFor(100);
  const lost = segment.dropped.loss / 2000;
  assert.ok(lost > 0.26 && lost < 0.34, `loss ${lost}`);
  const received = ports[1]!.got.length;
  const expected = 2000 * 0.7 * 1.1;
  assert.ok(Math.abs(received - expected) < 80, `received ${received}, expected about ${expected}`);
  const delays = ports[1]!.got.map(([t]) => t);
  assert.ok(delays.every((t) => t >= 1 && t <= 1 + 4 + 0.5 + 1e-9));
  assert.ok(new Set(delays).size > 100, 'jitter spreads arrival times');
});
