/**
 * The BFD runner's steady-state shortcut (actors/bfd/bfd-session-runner.ts) changes nothing but the cost: two
 * worlds with the same seed, one with the shortcut and one sending every event through the machine, put the same
 * packets on the segment at the same times and make the same changes of state, through the slow start, the Poll,
 * the steady state, a cut link, a peer that goes AdminDown and back, and a passive session. The shortcut did
 * answer most of the steady state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BfdNode } from '../../actors/bfd/bfd-node.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';
import type { BfdSessionChange } from '../../actors/bfd/bfd-session-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimulatedBfdLink } from '../../sim/simulated-bfd-link.js';
import { bfdSessionSpec } from '../bfd-session-spec.js';

const A = '192.168.77.11';
const B = '192.168.77.12';

const spec = bfdSessionSpec;

function world(shortcut: boolean) {
  const clock = new VirtualClock();
  const random = new SeededRandom(21);
  const segment = new LanSegment('lan', clock, random, { latencyMs: 0.3, jitterMs: 0.2, loss: 0.01, duplication: 0, reorder: 0 });
  const portA = segment.attach('a', 'eth0');
  const portB = segment.attach('b', 'eth0');
  portA.addresses.add(A);
  portB.addresses.add(B);
  portA.addresses.add('192.168.77.21');
  portB.addresses.add('192.168.77.22');
  const a = new BfdNode(new SimulatedBfdLink([portA], random.fork('a')), clock, random.fork('a'), [spec('ab', B, A), spec('ab2', '192.168.77.22', '192.168.77.21', { passive: true, desiredMinTxUs: 20_000 })], shortcut);
  const b = new BfdNode(new SimulatedBfdLink([portB], random.fork('b')), clock, random.fork('b'), [spec('ba', A, B, { detectMult: 5 }), spec('ba2', '192.168.77.21', '192.168.77.22')], shortcut);
  const wire: string[] = [];
  portA.listen((f) => wire.push(`${clock.now().toFixed(6)} ${f.source}>${f.destination} ${Buffer.from(f.bytes).toString('hex')}`));
  portB.listen((f) => wire.push(`${clock.now().toFixed(6)} ${f.source}>${f.destination} ${Buffer.from(f.bytes).toString('hex')}`));
  const changes: BfdSessionChange[] = [];
  a.changes$.subscribe((c) => changes.push(c));
  b.changes$.subscribe((c) => changes.push(c));
  a.start();
  b.start();
  clock.runUntil(5000);
  segment.partition([['a'], ['b']]);
  clock.runUntil(5200);
  segment.heal();
  clock.runUntil(9000);
  b.session('ba')!.adminDown();
  clock.runUntil(10_000);
  b.session('ba')!.adminUp();
  clock.runUntil(15_000);
  const hits = [...a.all, ...b.all].reduce((n, s) => n + s.shortcutHits, 0);
  const sent = [...a.all, ...b.all].reduce((n, s) => n + s.packetsSent, 0);
  a.stop();
  b.stop();
  return { wire, changes, hits, sent };
}

test('the shortcut puts the same packets on the wire at the same times and makes the same changes as the machine alone', () => {
  const fast = world(true);
  const slow = world(false);
  assert.equal(slow.hits, 0);
  assert.ok(fast.changes.some((c) => c.to === 'Up') && fast.changes.some((c) => c.to === 'Down' && c.localDiag === 1) && fast.changes.some((c) => c.remoteDiag === 7));
  assert.deepEqual(fast.changes, slow.changes);
  assert.equal(fast.wire.length, slow.wire.length);
  assert.deepEqual(fast.wire, slow.wire);
  // Most of the steady state went around the machine: packets sent and received at 10 ms for seconds.
  assert.ok(fast.hits > fast.sent, `${fast.hits} events answered by the shortcut, ${fast.sent} packets sent`);
});
