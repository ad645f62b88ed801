/**
 * The BFD runner's steady-state shortcut (actors/bfd/bfd-session-runner.ts) is derived by hand from the machine
 * (machines/bfd-session.ts), not learned from it as actors/steady-shortcut.ts does; this differential test is what
 * makes it safe to change. Random streams of what a peer may send after RFC 5880 §6.8.6 (every state, Poll and
 * Final, changed intervals, multipliers, diagnostics and discriminators, long runs of the same packet from a steady
 * peer), AdminDown / AdminUp, and time passing (transmission and detection timers, with their jitter) are played to
 * one session twice, shortcut on and off: the packets it sends, its changes of state and its context after each
 * packet must be identical at identical virtual times. A new seed every run, printed by fast-check on failure;
 * VIGIL_FUZZ_SEED replays one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { BfdSessionRunner } from '../../actors/bfd/bfd-session-runner.js';
import type { BfdSessionSpec } from '../../actors/bfd/bfd-session-spec.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { BFD_STATE, type BfdControlPacket, type BfdStateCode } from '../../protocol/bfd-types.js';
import type { BfdSender } from '../../transport/bfd-link.js';

const FUZZ_SEED = process.env['VIGIL_FUZZ_SEED'] === undefined ? {} : { seed: Number(process.env['VIGIL_FUZZ_SEED']) };
const LOCAL = 0x1234;

/** What the peer says; `yours` false: Your Discriminator 0 (only with Down / AdminDown, §6.8.6). */
interface PeerPacket {
  readonly state: BfdStateCode;
  readonly yours: boolean;
  readonly my: number;
  readonly poll: boolean;
  readonly final: boolean;
  readonly diag: number;
  readonly detectMult: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly demand: boolean;
}

type Step =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'packet'; readonly packet: PeerPacket }
  | { readonly kind: 'steady'; readonly packet: PeerPacket; readonly count: number; readonly periodMs: number }
  | { readonly kind: 'admin'; readonly down: boolean }
  /** The peer's last packet again with one field changed (what a steady session most needs to notice). */
  | { readonly kind: 'tweak'; readonly field: keyof PeerPacket; readonly from: PeerPacket };

const arbPacket: fc.Arbitrary<PeerPacket> = fc
  .record({
    state: fc.constantFrom<BfdStateCode>(BFD_STATE.AdminDown, BFD_STATE.Down, BFD_STATE.Init, BFD_STATE.Up, BFD_STATE.Up, BFD_STATE.Up),
    yours: fc.boolean(),
    my: fc.constantFrom(77, 77, 77, 78),
    poll: fc.constantFrom(false, false, false, true),
    final: fc.constantFrom(false, false, false, true),
    diag: fc.constantFrom(0, 0, 0, 1, 7),
    detectMult: fc.constantFrom(3, 3, 5),
    desiredMinTxUs: fc.constantFrom(10_000, 10_000, 50_000, 1_000_000),
    requiredMinRxUs: fc.constantFrom(10_000, 10_000, 20_000, 0),
    demand: fc.constantFrom(false, false, false, true),
  })
  .map((p) => ({ ...p, yours: p.yours || (p.state !== BFD_STATE.Down && p.state !== BFD_STATE.AdminDown), poll: p.poll && !p.final }));

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('packet' as const), packet: arbPacket }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('steady' as const),
      packet: arbPacket,
      count: fc.integer({ min: 1, max: 60 }),
      periodMs: fc.constantFrom(10, 10, 9, 11, 25, 50, 100),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('admin' as const), down: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tweak' as const),
      field: fc.constantFrom<keyof PeerPacket>('state', 'my', 'poll', 'final', 'diag', 'detectMult', 'desiredMinTxUs', 'requiredMinRxUs', 'demand'),
      from: arbPacket,
    }),
  },
);

const SPECS: readonly BfdSessionSpec['params'][] = [
  { name: 's', detectMult: 3, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, idleTxUs: 1_000_000, passive: false },
  { name: 's', detectMult: 5, desiredMinTxUs: 50_000, requiredMinRxUs: 20_000, idleTxUs: 1_000_000, passive: true },
];

function packetOf(p: PeerPacket): BfdControlPacket {
  return {
    version: 1,
    diag: p.diag,
    state: p.state,
    poll: p.poll,
    final: p.final,
    controlPlaneIndependent: false,
    demand: p.demand,
    multipoint: false,
    detectMult: p.detectMult,
    myDiscriminator: p.my,
    yourDiscriminator: p.yours ? LOCAL : 0,
    desiredMinTxUs: p.desiredMinTxUs,
    requiredMinRxUs: p.requiredMinRxUs,
    requiredMinEchoRxUs: 0,
  };
}

function play(params: BfdSessionSpec['params'], steps: readonly Step[], shortcut: boolean, seed: number): { log: string[]; hits: number } {
  const clock = new VirtualClock();
  const log: string[] = [];
  const sender: BfdSender = {
    sourcePort: 49152,
    send: (bytes) => void log.push(`${clock.now().toFixed(6)} send ${Buffer.from(bytes).toString('hex')}`),
    sendErrors$: new Subject(),
    close: () => undefined,
  };
  const spec: BfdSessionSpec = { params, family: 4, neighbor: '192.168.77.13', source: '192.168.77.12', ttl: 255, maxHops: 0, multihop: false };
  const runner = new BfdSessionRunner(spec, LOCAL, sender, clock, new SeededRandom(seed), shortcut);
  runner.changes$.subscribe((c) => log.push(`${c.at.toFixed(6)} ${c.from}>${c.to} ${c.localDiag}/${c.remoteDiag}`));
  runner.start();
  const receive = (p: PeerPacket): void => {
    runner.receive(packetOf(p));
    // The session's whole context after each packet: what a later change or packet would be made from.
    const { params: _params, ...context } = runner.context;
    log.push(`${clock.now().toFixed(6)} state ${runner.state} ${runner.detectionTimeMs} ${JSON.stringify(context)}`);
  };
  let last: PeerPacket | undefined;
  const send = (p: PeerPacket): void => {
    last = p;
    receive(p);
  };
  for (const step of steps) {
    switch (step.kind) {
      case 'wait':
        clock.runFor(step.ms);
        break;
      case 'packet':
        send(step.packet);
        break;
      case 'tweak': {
        // The field takes the value it has in `from`, or, where that is the same, a value it does not have.
        const base = last ?? step.from;
        const f = step.field;
        const changed = typeof base[f] === 'boolean' ? !base[f] : f === 'state' ? (base.state + 1) % 4 : (base[f] as number) + 1;
        const other: PeerPacket = { ...base, [f]: step.from[f] !== base[f] ? step.from[f] : changed };
        send({ ...other, yours: other.yours || (other.state !== BFD_STATE.Down && other.state !== BFD_STATE.AdminDown), poll: other.poll && !other.final });
        break;
      }
      case 'steady':
        for (let i = 0; i < step.count; i++) {
          send(step.packet);
          clock.runFor(step.periodMs);
        }
        break;
      case 'admin':
        if (step.down) runner.adminDown();
        else runner.adminUp();
        break;
    }
  }
  clock.runFor(5000);
  log.push(`end ${runner.state} sent ${runner.packetsSent}`);
  const hits = runner.shortcutHits;
  runner.stop();
  return { log, hits };
}

test('BFD: with the shortcut on or off, the same packets and changes at the same virtual times, over random streams', () => {
  let hits = 0;
  let runs = 0;
  for (const params of SPECS) {
    fc.assert(
      fc.property(fc.array(arbStep, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 1_000_000 }), (steps, seed) => {
        const on = play(params, steps, true, seed);
        const off = play(params, steps, false, seed);
        assert.equal(off.hits, 0, 'switched off, every event goes through the machine');
        assert.deepEqual(on.log, off.log, JSON.stringify(params));
        hits += on.hits;
        runs++;
      }),
      { numRuns: 40, ...FUZZ_SEED },
    );
  }
  // The streams must exercise the shortcut, or the comparison proves nothing.
  assert.ok(hits > runs * 5, `${hits} shortcut answers in ${runs} runs`);
});
