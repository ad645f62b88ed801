/**
 * Two BFD session machines back to back on the virtual clock, joined by a link with 1 ms of delay: the three-way
 * handshake at the slow rate (RFC 5880 §6.2, §6.8.3), the Poll/Final sequence that moves to min_tx on Up, the exact
 * Detection Time (§6.8.4) when one side falls silent, the jitter bounds (§6.8.7), and passive mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, type Actor } from 'xstate';
import { bfdSessionMachine, bfdStateName } from '../../machines/bfd-session.js';
import { bfdControlPacket, type BfdSessionParams } from '../../machines/bfd-session-logic.js';
import { bfdTimers, type BfdRandom } from '../../machines/bfd-timers.js';
import type { BfdControlPacket } from '../../protocol/bfd-types.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';

const NO_JITTER: BfdRandom = { next: () => 0 };

const params = (name: string, discriminator: number, over: Partial<BfdSessionParams> = {}): BfdSessionParams => ({
  name,
  localDiscriminator: discriminator,
  detectMult: 3,
  desiredMinTxUs: 10_000,
  requiredMinRxUs: 10_000,
  idleTxUs: 1_000_000,
  passive: false,
  ...over,
});

interface Sent {
  readonly at: number;
  readonly packet: BfdControlPacket;
}

interface Side {
  readonly actor: Actor<typeof bfdSessionMachine>;
  readonly sent: Sent[];
  /** States entered, with the virtual time. */
  readonly states: string[];
  /** When a packet from the peer last arrived. */
  lastRx: number;
  /** Set false to drop what this side sends (it is "stopped" as far as the peer can tell). */
  linkUp: boolean;
}

function pair(clock: VirtualClock, random: BfdRandom, a: BfdSessionParams, b: BfdSessionParams): [Side, Side] {
  const sides: Side[] = [];
  const make = (p: BfdSessionParams, index: number): Side => {
    const side: Side = {
      sent: [],
      states: [],
      lastRx: -1,
      linkUp: true,
      actor: createActor(
        bfdSessionMachine.provide({
          actions: {
            transmit: ({ context }, { final }) => {
              const packet = bfdControlPacket(context, final);
              side.sent.push({ at: clock.now(), packet });
              if (!side.linkUp) return;
              clock.setTimeout(() => {
                const peer = sides[1 - index]!;
                peer.lastRx = clock.now();
                peer.actor.send({ type: 'RECEIVED', packet });
              }, 1);
            },
          },
          actors: bfdTimers(clock, random),
        }),
        { input: { params: p }, clock },
      ),
    };
    let last = '';
    side.actor.subscribe((s) => {
      const name = bfdStateName(s.value);
      if (name !== last) side.states.push(`${clock.now()} ${name}`);
      last = name;
    });
    return side;
  };
  sides.push(make(a, 0), make(b, 1));
  for (const s of sides) s.actor.start();
  return [sides[0]!, sides[1]!];
}

test('handshake at the slow rate, then Poll/Final to 10 ms, with exact times (no jitter)', () => {
  const clock = new VirtualClock();
  const [a, b] = pair(clock, NO_JITTER, params('a', 0x11), params('b', 0x22));
  clock.runUntil(1100);
  // t=0 both send Down; t=1 each hears Down → Init; t=1000 both send Init; t=1001 each hears Init → Up.
  assert.deepEqual(a.states, ['0 Down', '1 Init', '1001 Up']);
  assert.deepEqual(b.states, ['0 Down', '1 Init', '1001 Up']);
  const first = a.sent.slice(0, 4).map((s) => [s.at, s.packet.state, s.packet.poll, s.packet.final, s.packet.desiredMinTxUs, s.packet.yourDiscriminator]);
  assert.deepEqual(first, [
    [0, 1, false, false, 1_000_000, 0], // Down, slow rate, Your Discriminator unknown
    [1000, 2, false, false, 1_000_000, 0x22], // Init
    [1011, 3, true, false, 10_000, 0x22], // Up: a Poll for the faster rate, which applies at once (a decrease)
    [1012, 3, false, true, 10_000, 0x22], // the peer's Poll answered at once with Final
  ]);
  // The Poll ends on the peer's Final (t=1013): later packets carry neither bit, every 10 ms.
  const later = a.sent.filter((s) => s.at > 1013);
  assert.ok(later.length >= 8);
  for (const s of later) assert.equal(s.packet.poll || s.packet.final, false);
  for (let i = 1; i < later.length; i++) assert.equal(later[i]!.at - later[i - 1]!.at, 10);
  assert.equal(a.actor.getSnapshot().context.polling, false);
  a.actor.stop();
  b.actor.stop();
});

test('a silent peer: Down with diag 1 exactly one Detection Time (3 × 10 ms) after its last packet; the other side follows', () => {
  const clock = new VirtualClock();
  const [a, b] = pair(clock, NO_JITTER, params('a', 0x11), params('b', 0x22));
  clock.runUntil(2000);
  assert.equal(bfdStateName(a.actor.getSnapshot().value), 'Up');
  b.linkUp = false;
  const lastFromB = a.lastRx;
  clock.runUntil(2100);
  assert.equal(a.states.at(-1), `${lastFromB + 30} Down`);
  assert.equal(a.actor.getSnapshot().context.localDiag, 1, 'Control Detection Time Expired');
  assert.equal(a.actor.getSnapshot().context.remoteDiscriminator, 0, '§6.8.1: RemoteDiscr cleared');
  // a's Down packets tell b at once (Neighbor Signaled Session Down), a packet later.
  const aDown = a.sent.find((s) => s.at >= lastFromB + 30 && s.packet.state === 1)!;
  assert.equal(b.states.at(-1), `${aDown.at + 1} Down`);
  assert.equal(b.actor.getSnapshot().context.localDiag, 3);
  // Back at the slow rate once Down (§6.8.3).
  assert.equal(aDown.packet.desiredMinTxUs, 1_000_000);
  // The link heals: Up again through Init.
  b.linkUp = true;
  clock.runUntil(6000);
  assert.equal(bfdStateName(a.actor.getSnapshot().value), 'Up');
  assert.equal(bfdStateName(b.actor.getSnapshot().value), 'Up');
  a.actor.stop();
  b.actor.stop();
});

test('jitter (§6.8.7): intervals between 75 % and 100 % of 10 ms, or 75–90 % with detect mult 1; each interval in range', () => {
  for (const mult of [3, 1]) {
    const clock = new VirtualClock();
    const [a, b] = pair(clock, new SeededRandom(7 + mult), params('a', 0x11, { detectMult: mult }), params('b', 0x22, { detectMult: mult }));
    clock.runUntil(10_000);
    assert.equal(bfdStateName(a.actor.getSnapshot().value), 'Up');
    const periodic = a.sent.filter((s) => s.at > 5000 && !s.packet.final);
    const gaps = periodic.slice(1).map((s, i) => s.at - periodic[i]!.at);
    assert.ok(gaps.length > 400);
    const [lo, hi] = mult === 1 ? [7.5, 9] : [7.5, 10];
    for (const g of gaps) assert.ok(g >= lo - 1e-9 && g <= hi + 1e-9, `gap ${g} within [${lo}, ${hi}]`);
    const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
    const expected = mult === 1 ? 8.25 : 8.75;
    assert.ok(Math.abs(mean - expected) < 0.2, `mean ${mean} near ${expected}`);
    // The peer's detection never fires on a jittered but live session.
    assert.deepEqual(b.states.filter((s) => s.endsWith('Down')).length, 1);
    a.actor.stop();
    b.actor.stop();
  }
});

test('passive (keepalived `passive`): silent while Down, answers once the peer speaks', () => {
  const clock = new VirtualClock();
  const [a, b] = pair(clock, NO_JITTER, params('a', 0x11, { passive: true }), params('b', 0x22, { passive: true }));
  clock.runUntil(5000);
  assert.equal(a.sent.length + b.sent.length, 0, 'two passive sessions never start');
  a.actor.stop();
  b.actor.stop();
  const clock2 = new VirtualClock();
  const [p, q] = pair(clock2, NO_JITTER, params('p', 0x11, { passive: true }), params('q', 0x22));
  clock2.runUntil(3000);
  // p hears q's Down at 1 (Init) and speaks at its next tick (1000); q, Down, hears Init and goes Up at once
  // (§6.8.6), polls at 10 ms, and p goes Up on that Poll.
  assert.deepEqual(p.states, ['0 Down', '1 Init', '1012 Up']);
  assert.deepEqual(q.states, ['0 Down', '1001 Up']);
  assert.equal(p.sent[0]!.at, 1000, 'nothing before Init');
  p.actor.stop();
  q.actor.stop();
});

test('a longer remote Required Min RX slows our transmission (§6.8.7) and lengthens its Detection Time (§6.8.4)', () => {
  const clock = new VirtualClock();
  const [a, b] = pair(clock, NO_JITTER, params('a', 0x11), params('b', 0x22, { requiredMinRxUs: 50_000 }));
  clock.runUntil(3000);
  const gaps = a.sent.filter((s) => s.at > 2000 && !s.packet.final).map((s) => s.at);
  for (let i = 1; i < gaps.length; i++) assert.equal(gaps[i]! - gaps[i - 1]!, 50);
  // b's detection of a: a's Detect Mult × max(b's min_rx 50 ms, a's min_tx 10 ms) = 150 ms.
  a.linkUp = false;
  const last = b.lastRx;
  clock.runUntil(3500);
  assert.equal(b.states.at(-1), `${last + 150} Down`);
  a.actor.stop();
  b.actor.stop();
});
