/**
 * A Detection Time that expires in Up is reported at once and the machine follows later (actors/bfd/
 * bfd-session-runner.ts, issue 15): two runners on the virtual clock, ours with its machine's catch-up held by the
 * test. The Down is reported at the expiry with what the machine will make of it (diagnostic 1, the remote
 * forgotten, the Detection Time). Its transmission timer does not wait for the catch-up: the packet it sends is
 * the machine's (Down at the slow rate, set at the report). A packet from the peer makes the machine follow first
 * and is taken in Down. No change is reported twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BfdSessionRunner, type BfdSessionChange } from '../../actors/bfd/bfd-session-runner.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';
import { decodeBfdControl } from '../../protocol/bfd-codec.js';
import { BFD_STATE, type BfdControlPacket } from '../../protocol/bfd-types.js';
import type { BfdSender } from '../../transport/bfd-link.js';
import { Subject } from '../../transport/subject.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';

const spec = (name: string): BfdSessionSpec => ({
  params: { name, detectMult: 3, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, idleTxUs: 1_000_000, passive: false },
  family: 4,
  neighbor: '192.168.77.12',
  source: '192.168.77.11',
  ttl: 255,
  maxHops: 0,
  multihop: false,
});

interface Sent {
  readonly at: number;
  readonly packet: BfdControlPacket;
}

/** A sender that records what it sends and, while `open`, hands it to `to` 0.5 ms later. */
function sender(clock: VirtualClock, sent: Sent[], to: () => BfdSessionRunner, link: { open: boolean }): BfdSender {
  return {
    sourcePort: 49152,
    sendErrors$: new Subject<never>().asObservable(),
    send: (bytes) => {
      const decoded = decodeBfdControl(bytes);
      assert.ok(decoded.ok);
      sent.push({ at: clock.now(), packet: decoded.packet });
      if (link.open) clock.setTimeout(() => to().receive(decoded.packet), 0.5);
    },
    close: () => undefined,
  };
}

function pair() {
  const clock = new VirtualClock();
  const random = new SeededRandom(15);
  const link = { open: true };
  const held: (() => void)[] = [];
  const oursSent: Sent[] = [];
  const changes: BfdSessionChange[] = [];
  const ours: BfdSessionRunner = new BfdSessionRunner(spec('ours'), 0x11, sender(clock, oursSent, () => theirs, link), clock, random, true, (settle) => held.push(settle));
  const theirs: BfdSessionRunner = new BfdSessionRunner(spec('theirs'), 0x22, sender(clock, [], () => ours, link), clock, random);
  ours.changes$.subscribe((c) => changes.push(c));
  ours.start();
  theirs.start();
  clock.runUntil(5000);
  assert.equal(ours.state, 'Up');
  assert.equal(ours.detectionTimeMs, 30);
  return { clock, link, held, oursSent, changes, ours, theirs };
}

test('a Detection Time expiring in Up: the Down is reported at the expiry, the machine follows in its turn; the packets meanwhile are the machine\'s', () => {
  const w = pair();
  const upChanges = w.changes.length;
  w.link.open = false;
  const lastReceivedAt = w.ours.lastReceivedAt!;
  w.clock.runUntil(lastReceivedAt + 30);
  const down = w.changes.slice(upChanges);
  assert.equal(down.length, 1);
  assert.deepEqual(
    { ...down[0]! },
    { name: 'ours', neighbor: '192.168.77.12', from: 'Up', to: 'Down', localDiag: 1, remoteDiag: 0, remoteState: 'Down', detectionTimeMs: 30, at: lastReceivedAt + 30, lastReceivedAt },
  );
  assert.equal(w.ours.state, 'Down');
  assert.equal(w.ours.settled, false, 'the machine has not followed yet');
  assert.equal(w.held.length, 1);
  // A look at the session (status, metrics) shows what the machine will make, and does not make it follow.
  assert.equal(w.ours.context.localState, 'Down');
  assert.equal(w.ours.context.remoteDiscriminator, 0);
  assert.equal(w.ours.detectionTimeMs, 30);
  assert.equal(w.ours.settled, false);
  // The transmission timer fires next (within 10 ms) and does not wait for the machine: its packet is the one the
  // machine would send, Down at 1 s.
  const from = w.oursSent.length;
  w.clock.runUntil(lastReceivedAt + 45);
  assert.equal(w.ours.settled, false);
  const after = w.oursSent.slice(from);
  assert.equal(after.length, 1);
  assert.equal(after[0]!.packet.state, BFD_STATE.Down);
  assert.equal(after[0]!.packet.diag, 1);
  assert.equal(after[0]!.packet.desiredMinTxUs, 1_000_000);
  assert.equal(after[0]!.packet.yourDiscriminator, 0, 'the remote is forgotten');
  // The next one a second later (§6.8.3: the slow rate while not Up, set at the report), not 10 ms.
  w.clock.runUntil(lastReceivedAt + 700);
  assert.equal(w.oursSent.length, from + 1);
  // The held catch-up makes the machine follow, and reports nothing more.
  w.held.shift()!();
  assert.equal(w.ours.settled, true);
  assert.equal(w.changes.length, upChanges + 1);
  assert.equal(w.ours.context.localState, 'Down');
  w.clock.runUntil(lastReceivedAt + 1100);
  assert.equal(w.oursSent.length, from + 2, 'still at the slow rate once the machine followed');
  assert.equal(w.oursSent.at(-1)!.packet.desiredMinTxUs, 1_000_000);
});

test('a packet that arrives before the machine followed is taken in Down', () => {
  const w = pair();
  w.link.open = false;
  const lastReceivedAt = w.ours.lastReceivedAt!;
  w.clock.runUntil(lastReceivedAt + 30);
  assert.equal(w.ours.settled, false);
  // The peer, Down itself, speaks: in Down that takes us to Init (in Up it would have taken us Down).
  w.ours.receive({
    version: 1,
    diag: 1,
    state: BFD_STATE.Down,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: 0x22,
    yourDiscriminator: 0,
    desiredMinTxUs: 1_000_000,
    requiredMinRxUs: 10_000,
    requiredMinEchoRxUs: 0,
  });
  assert.equal(w.ours.settled, true);
  assert.equal(w.ours.state, 'Init');
  assert.deepEqual(
    w.changes.slice(-2).map((c) => `${c.from}>${c.to} ${c.localDiag}`),
    ['Up>Down 1', 'Down>Init 0'],
  );
});
