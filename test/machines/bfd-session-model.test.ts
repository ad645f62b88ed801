/**
 * Model-based tests: @xstate/graph walks the BFD session machine's graph (states reached by received packets of
 * every remote state with and without P and F, administrative events, and its own timers); each shortest path is
 * replayed on a real actor on the virtual clock, its `transmit` recorded. At every step the actor is in the state
 * the model predicts, a timer fires at exactly its time (the Detection Time of RFC 5880 §6.8.4, the AdminDown grace
 * of §6.8.16) and not a microsecond before, and what it sends agrees with RFC 5880 §6.8.7: a Poll is answered at
 * once with Final, P is carried exactly while polling, every packet says the state the session is in, the fast
 * rate is advertised only while Up, and a passive Down session and a quiet AdminDown one send nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, getNextSnapshot, type AnyStateNode } from 'xstate';
import { getShortestPaths } from '@xstate/graph';
import { bfdSessionMachine, bfdStateName, type BfdSessionEvent, type BfdSessionInput } from '../../machines/bfd-session.js';
import { bfdControlPacket, detectionTimeUs, type BfdSessionContext } from '../../machines/bfd-session-logic.js';
import { bfdTimers } from '../../machines/bfd-timers.js';
import { BFD_STATE, BFD_STATE_NAMES, type BfdControlPacket, type BfdStateCode } from '../../protocol/bfd-types.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { pendingTimerEvents } from './pending-timers.js';

function remote(state: BfdStateCode, poll: boolean, final: boolean): BfdSessionEvent {
  const packet: BfdControlPacket = {
    version: 1,
    diag: 0,
    state,
    poll,
    final,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: 0x22,
    yourDiscriminator: state === BFD_STATE.Down || state === BFD_STATE.AdminDown ? 0 : 0x11,
    desiredMinTxUs: state === BFD_STATE.Up ? 20_000 : 1_000_000,
    requiredMinRxUs: 10_000,
    requiredMinEchoRxUs: 0,
  };
  return { type: 'RECEIVED', packet };
}

const EXTERNAL: BfdSessionEvent[] = [
  ...[BFD_STATE.AdminDown, BFD_STATE.Down, BFD_STATE.Init, BFD_STATE.Up].flatMap((s) => [remote(s, false, false), remote(s, true, false), remote(s, false, true)]),
  { type: 'TX_TIMER' },
  { type: 'ADMIN_DOWN' },
  { type: 'ADMIN_UP' },
];

type Snapshot = ReturnType<typeof bfdSessionMachine.transition>;

/**
 * Timer events pending in a snapshot: `after` transitions, and DETECTION_TIMEOUT while the detection timer runs (the
 * machine's one detection timer runs in the states that start it on entry, Down, Init and Up).
 */
const startsDetection = (node: AnyStateNode): boolean => node.entry.some((a) => (a as { type?: unknown }).type === 'startDetection' || a === 'startDetection');
const timerEvents = (snapshot: Snapshot): BfdSessionEvent[] => pendingTimerEvents<BfdSessionEvent>(snapshot, startsDetection, 'DETECTION_TIMEOUT');

const isTimer = (type: string): boolean => type.startsWith('xstate.after.') || type === 'DETECTION_TIMEOUT';

function serialize(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([snapshot.value, c.polling, c.remoteDiscriminator !== 0, c.remoteState, c.remoteDetectMult > 0]);
}

const input = (passive: boolean): BfdSessionInput => ({
  params: { name: 'b1', localDiscriminator: 0x11, detectMult: 3, desiredMinTxUs: 10_000, requiredMinRxUs: 10_000, idleTxUs: 1_000_000, passive },
});

/** What can be observed of the session: its state, and for Down whether it still knows the remote. */
const observed = (c: BfdSessionContext, value: unknown): string => `${bfdStateName(value)} ${c.remoteDiscriminator !== 0}`;

for (const passive of [false, true]) {
  test(`model-based paths: ${passive ? 'passive' : 'active'} session`, () => {
    const paths = getShortestPaths(bfdSessionMachine, {
      input: input(passive),
      events: (snapshot) => [...EXTERNAL, ...timerEvents(snapshot)],
      serializeState: serialize,
    });
    assert.ok(paths.length >= 20, `a rich graph: ${paths.length} paths`);
    const reached = new Set(paths.map((p) => bfdStateName(p.state.value)));
    for (const s of ['AdminDown', 'Down', 'Init', 'Up']) assert.ok(reached.has(s as never), `${s} reachable`);
    let timed = 0;
    // Every path to a state, then every event from that state: self-transitions (a Poll answered in Up, a packet
    // that changes nothing) are edges no shortest path takes.
    const walks = paths.flatMap((path) => {
      const events = [...EXTERNAL, ...timerEvents(path.state)];
      return events.map((extra) => ({ steps: [...path.steps, { event: extra, state: getNextSnapshot(bfdSessionMachine, path.state, extra) }] }));
    });
    for (const path of walks) {
      const clock = new VirtualClock();
      const sent: BfdControlPacket[] = [];
      const actor = createActor(
        bfdSessionMachine.provide({
          actions: { transmit: ({ context }, { final }) => sent.push(bfdControlPacket(context, final)) },
          actors: bfdTimers(clock, { next: () => 0.5 }),
        }),
        { input: input(passive), clock },
      );
      actor.start();
      const description: string[] = [];
      for (const step of path.steps) {
        const event = step.event;
        if ((event.type as string) === 'xstate.init') continue;
        const before = actor.getSnapshot();
        const from = sent.length;
        description.push(event.type === 'RECEIVED' ? `RX(${BFD_STATE_NAMES[event.packet.state]}${event.packet.poll ? ' P' : ''}${event.packet.final ? ' F' : ''})` : event.type);
        const where = description.join(' → ');
        if (isTimer(event.type)) {
          // The timer fires exactly one Detection Time after it was (re)started: the last packet received, or
          // entering the state. Replay starts timers and events at the same virtual instant, so "now".
          const delay = detectionTimeUs(before.context) / 1000;
          const start = clock.now();
          clock.runUntil(start + delay - 0.001);
          assert.equal(observed(actor.getSnapshot().context, actor.getSnapshot().value), observed(before.context, before.value), `nothing before the deadline: ${where}`);
          clock.runUntil(start + delay);
          timed++;
        } else {
          actor.send(event);
        }
        const after = actor.getSnapshot();
        assert.equal(bfdStateName(after.value), bfdStateName(step.state.value), `state: ${where}`);
        assert.equal(after.context.localState, bfdStateName(after.value), `context agrees with the state: ${where}`);
        const news = sent.slice(from);
        if (!isTimer(event.type)) {
          for (const p of news) {
            assert.equal(BFD_STATE_NAMES[p.state], after.context.localState, `a packet says the state it is sent in: ${where}`);
            assert.equal(p.desiredMinTxUs, after.context.localState === 'Up' ? 10_000 : 1_000_000, `fast rate only while Up: ${where}`);
          }
          const answered = news.filter((p) => p.final).length;
          const polled = event.type === 'RECEIVED' && event.packet.poll && before.context.localState !== 'AdminDown';
          assert.equal(answered, polled ? 1 : 0, `a Poll is answered with one Final, and only a Poll: ${where}`);
          for (const p of news.filter((q) => !q.final)) assert.equal(p.poll, after.context.polling, `P exactly while polling: ${where}`);
          if (event.type === 'TX_TIMER') {
            const silent = (passive && after.context.localState === 'Down') || after.matches({ AdminDown: 'quiet' });
            assert.equal(news.length, silent ? 0 : 1, `periodic packet unless silent: ${where}`);
          }
        }
        // (Going Up on the same packet starts a Poll of its own.)
        if (event.type === 'RECEIVED' && event.packet.final && before.context.localState !== 'AdminDown' && after.context.localState !== 'Up') {
          assert.equal(after.context.polling, false, `a Final ends the Poll: ${where}`);
        }
        if (event.type === 'RECEIVED' && event.packet.final && before.context.localState === 'Up' && after.context.localState === 'Up') {
          assert.equal(after.context.polling, false, `a Final ends the Poll: ${where}`);
        }
      }
      actor.stop();
    }
    assert.ok(timed > 0, 'timer steps replayed');
    assert.ok(walks.length > 300, `${walks.length} walks`);
  });
}
