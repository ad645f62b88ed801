/**
 * The BFD session state machine: RFC 5880 §6.8 in Asynchronous mode (Demand mode off on our side, a remote's
 * honoured), with the Poll/Final sequence, as keepalived 2.2.7's BFD child runs it (bfd_scheduler.c) where the RFC
 * leaves a choice. Pure: no I/O and no clock of its own. Sending is the named action `transmit`; the transmission
 * and detection timers are invoked actors (./bfd-timers.ts) the runtime binds to its clock and random source.
 *
 * State keys are RFC 5880's state names (AdminDown, Down, Init, Up).
 */
import { assign, fromCallback, sendTo, setup } from 'xstate';
import type { BfdControlPacket, BfdStateName } from '../protocol/bfd-types.js';
import {
  absorbBfdPacket,
  detectionTimeUs,
  DIAG,
  enterBfdState,
  forgetRemote,
  initialBfdContext,
  nextBfdState,
  transmitsPeriodically,
  txIntervalUs,
  type BfdSessionContext,
  type BfdSessionParams,
} from './bfd-session-logic.js';
import type { BfdDetectionCommand, BfdTxInterval } from './bfd-timers.js';

export interface BfdSessionInput {
  readonly params: BfdSessionParams;
}

export type BfdSessionEvent =
  /** A control packet for this session that passed RFC 5880 §6.8.6's checks (protocol/bfd-reception.ts). */
  | { type: 'RECEIVED'; packet: BfdControlPacket }
  /** From the transmission timer: a periodic packet is due. */
  | { type: 'TX_TIMER' }
  /** From the detection timer: a Detection Time passed without a valid packet. */
  | { type: 'DETECTION_TIMEOUT' }
  /** Administrative control (§6.8.16). */
  | { type: 'ADMIN_DOWN' }
  | { type: 'ADMIN_UP' };

const goesTo =
  (state: BfdStateName) =>
  ({ context, event }: { context: BfdSessionContext; event: BfdSessionEvent }): boolean =>
    event.type === 'RECEIVED' && nextBfdState(context.localState, event.packet.state)?.state === state;

const detectionMs = (context: BfdSessionContext): number => detectionTimeUs(context) / 1000;

const sessionSetup = setup({
  types: {
    context: {} as BfdSessionContext,
    events: {} as BfdSessionEvent,
    input: {} as BfdSessionInput,
  },
  actions: {
    /** Sends one control packet built from the context (machines/bfd-session-logic.ts bfdControlPacket). */
    transmit: (_, _params: { final: boolean }) => undefined,
    /** Takes in a received packet, and the state it leads to (§6.8.6). */
    receive: assign(({ context, event }) => {
      if (event.type !== 'RECEIVED') return context;
      const absorbed = absorbBfdPacket(context, event.packet);
      const next = nextBfdState(context.localState, event.packet.state);
      return next === undefined ? absorbed : enterBfdState(absorbed, next.state, next.diag);
    }),
    enter: assign(({ context }, params: { state: BfdStateName; diag: number }) => enterBfdState(context, params.state, params.diag)),
    forget: assign(({ context }) => forgetRemote(context)),
    /** The transmission timer learns the interval now in effect (it ignores an unchanged one). */
    retime: sendTo('tx', ({ context }): BfdTxInterval => ({ type: 'TX_INTERVAL', intervalUs: txIntervalUs(context) })),
    restartDetection: sendTo('detection', ({ context }): BfdDetectionCommand => ({ type: 'DETECTION_RESTART', delayMs: detectionMs(context) })),
    /** Entering Down, Init or Up: a Detection Time from now, with the context the state is entered with. */
    startDetection: sendTo('detection', ({ context }): BfdDetectionCommand => ({ type: 'DETECTION_START', delayMs: detectionMs(context) })),
    stopDetection: sendTo('detection', (): BfdDetectionCommand => ({ type: 'DETECTION_STOP' })),
  },
  guards: {
    toInit: goesTo('Init'),
    toUp: goesTo('Up'),
    toDown: goesTo('Down'),
    periodic: ({ context }) => transmitsPeriodically(context),
  },
  delays: {
    /** §6.8.16: AdminDown is announced for a Detection Time, then the session falls silent. */
    adminDownGrace: ({ context }) => detectionMs(context),
  },
  actors: {
    /** Placeholders: the runtime binds both to its clock with `machine.provide({ actors: bfdTimers(clock, random) })`. */
    txTimer: fromCallback<BfdTxInterval, { intervalUs: number; detectMult: number }>(() => undefined),
    detectionTimer: fromCallback<BfdDetectionCommand, Record<string, never>>(() => undefined),
  },
});

/** §6.8.7: a packet with P is answered at once with F, whatever the transmission timer says. */
const answerPoll = sessionSetup.enqueueActions(({ event, enqueue }) => {
  if (event.type === 'RECEIVED' && event.packet.poll) enqueue({ type: 'transmit', params: { final: true } });
});

export const bfdSessionMachine = sessionSetup.createMachine({
  id: 'bfdSession',
  context: ({ input }) => initialBfdContext(input.params),
  initial: 'Down',
  invoke: [
    {
      id: 'tx',
      src: 'txTimer',
      input: ({ context }) => ({ intervalUs: txIntervalUs(context), detectMult: context.params.detectMult }),
    },
    // Runs in Down, Init and Up, started afresh on entering each (startDetection), stopped in AdminDown.
    { id: 'detection', src: 'detectionTimer', input: {} },
  ],
  on: {
    TX_TIMER: { guard: 'periodic', actions: { type: 'transmit', params: { final: false } } },
  },
  states: {
    AdminDown: {
      initial: 'announcing',
      entry: ['stopDetection', { type: 'transmit', params: { final: false } }],
      states: {
        announcing: { after: { adminDownGrace: 'quiet' } },
        quiet: {
          // Silent: the root's periodic transmission is overridden here.
          on: { TX_TIMER: {} },
        },
      },
      on: {
        ADMIN_UP: { target: 'Down', actions: [{ type: 'enter', params: { state: 'Down', diag: DIAG.administrativelyDown } }, 'retime'] },
        // §6.8.6: every packet is discarded while AdminDown.
        RECEIVED: {},
      },
    },
    Down: {
      // Here the detection timer only forgets the remote once it has been silent for a Detection Time (§6.8.1
      // bfd.RemoteDiscr; keepalived's reset thread).
      entry: 'startDetection',
      on: {
        RECEIVED: [
          { guard: 'toInit', target: 'Init', actions: ['receive', 'retime', answerPoll] },
          { guard: 'toUp', target: 'Up', actions: ['receive', 'retime', answerPoll] },
          { actions: ['receive', 'retime', 'restartDetection', answerPoll] },
        ],
        DETECTION_TIMEOUT: { actions: 'forget' },
        ADMIN_DOWN: { target: 'AdminDown', actions: [{ type: 'enter', params: { state: 'AdminDown', diag: DIAG.administrativelyDown } }, 'retime'] },
      },
    },
    Init: {
      entry: 'startDetection',
      on: {
        RECEIVED: [
          { guard: 'toUp', target: 'Up', actions: ['receive', 'retime', answerPoll] },
          { guard: 'toDown', target: 'Down', actions: ['receive', 'retime', answerPoll] },
          { actions: ['receive', 'retime', 'restartDetection', answerPoll] },
        ],
        DETECTION_TIMEOUT: { target: 'Down', actions: [{ type: 'enter', params: { state: 'Down', diag: DIAG.controlDetectionTimeExpired } }, 'forget', 'retime'] },
        ADMIN_DOWN: { target: 'AdminDown', actions: [{ type: 'enter', params: { state: 'AdminDown', diag: DIAG.administrativelyDown } }, 'retime'] },
      },
    },
    Up: {
      entry: 'startDetection',
      on: {
        RECEIVED: [
          { guard: 'toDown', target: 'Down', actions: ['receive', 'retime', answerPoll] },
          { actions: ['receive', 'retime', 'restartDetection', answerPoll] },
        ],
        DETECTION_TIMEOUT: { target: 'Down', actions: [{ type: 'enter', params: { state: 'Down', diag: DIAG.controlDetectionTimeExpired } }, 'forget', 'retime'] },
        ADMIN_DOWN: { target: 'AdminDown', actions: [{ type: 'enter', params: { state: 'AdminDown', diag: DIAG.administrativelyDown } }, 'retime'] },
      },
    },
  },
});

export function bfdStateName(value: unknown): BfdStateName {
  if (typeof value === 'string') return value as BfdStateName;
  if (value && typeof value === 'object') return Object.keys(value)[0] as BfdStateName;
  return 'Down';
}
