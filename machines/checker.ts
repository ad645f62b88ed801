/**
 * One health checker (keepalived TCP_CHECK, HTTP_GET, MISC_CHECK, …) as a machine: it judges each probe result
 * with keepalived's counting (./checker-logic.ts) and says when the next probe runs. No I/O and no timers of its
 * own: the probe cycle (wait, probe, race connect_timeout, drop stale results) is the invoked actor `probeLoop`
 * (./checker-timers.ts), bound to the runtime's clock and prober with `machine.provide({ actors })`; what the real
 * server must hear is the named action `report`. Its states are the checker's verdict: `up` or `down`.
 *
 * Timing (keepalived check_api.c register_checkers_thread): the first probe runs 1 s (BOOTSTRAP_DELAY) plus a
 * random part of `warmup` after start; the runtime draws that and passes it as `firstDelayMs`. The next probe is
 * scheduled when a probe ends (after delay_loop, delay_before_retry or the "while down" delay), except MISC_CHECK
 * which counts from the previous start. While suspended (ha_suspend), the due time passes without a probe and
 * the checker looks again after delay_loop, keeping its state.
 */
import { assign, fromCallback, sendTo, setup } from 'xstate';
import { initialCounters, judge, type CheckerCounters, type CheckerParams, type ProbeWeight } from './checker-logic.js';
import type { ProbeLoopCommand, ProbeLoopInput, ProbeResultEvent } from './checker-timers.js';

/** keepalived BOOTSTRAP_DELAY: the checkers start one second after the daemon. */
export const BOOTSTRAP_DELAY_MS = 1000;

export interface CheckerInput {
  readonly id: string;
  readonly params: CheckerParams;
  /** Until the first probe: BOOTSTRAP_DELAY_MS + a uniform draw in [0, warmup] (see firstProbeDelayMs). */
  readonly firstDelayMs: number;
  /** False while the owning virtual server is suspended (ha_suspend). */
  readonly enabled: boolean;
  /** A restarted checker (its worker died) resumes with the state it last reported instead of starting over. */
  readonly initialUp?: boolean;
}

export interface CheckerContext extends CheckerCounters {
  readonly id: string;
  readonly params: CheckerParams;
  readonly enabled: boolean;
  /** Until the next probe: the first delay at start, then what the last judged result asked for. */
  readonly nextDelayMs: number;
  readonly lastDetail: string;
  /** Set by judging a result when the real server must hear of it; sent by `report` at once. */
  readonly pendingReport: CheckerReport | undefined;
}

export type CheckerEvent =
  /** From the probe loop: a probe's result (a timeout is a failure with detail 'timeout'). */
  | ProbeResultEvent
  | { type: 'ENABLE' }
  | { type: 'DISABLE' }
  /** Probe now instead of at the due time (FILE_CHECK: the file changed). */
  | { type: 'CHECK_NOW' };

/** What the real server hears: the checker's state and weight. `firstRun` marks the first completed probe. */
export interface CheckerReport {
  readonly id: string;
  readonly up: boolean;
  readonly weight: ProbeWeight | undefined;
  readonly firstRun: boolean;
  readonly detail: string;
}

/** keepalived draws `warmup * random() / RAND_MAX`: uniform in [0, warmup], kept to the microsecond here. */
export function firstProbeDelayMs(warmupMs: number, draw: number): number {
  return BOOTSTRAP_DELAY_MS + Math.floor(warmupMs * 1000 * draw) / 1000;
}

const checkerSetup = setup({
  types: {
    context: {} as CheckerContext,
    events: {} as CheckerEvent,
    input: {} as CheckerInput,
  },
  actors: {
    /**
     * The probe cycle (./checker-timers.ts): probes when due, sends PROBE_RESULT, takes NEXT / ENABLE / DISABLE /
     * PROBE_NOW. Bound to the runtime's clock and prober with `machine.provide({ actors: checkerTimers(…) })`.
     */
    probeLoop: fromCallback<ProbeLoopCommand, ProbeLoopInput>(() => undefined),
  },
  actions: {
    /** Tell the real server. */
    report: (_, _params: CheckerReport) => {},
    setEnabled: assign(({ event }) => ({ enabled: event.type === 'ENABLE' })),
    /** The probe loop follows ha_suspend. */
    tellLoopEnabled: sendTo('probeLoop', ({ event }): ProbeLoopCommand => ({ type: event.type === 'ENABLE' ? 'ENABLE' : 'DISABLE' })),
    probeNow: sendTo('probeLoop', { type: 'PROBE_NOW' } satisfies ProbeLoopCommand),
    /** The judged result says when the next probe is due. */
    probeNext: sendTo('probeLoop', ({ context }): ProbeLoopCommand => ({ type: 'NEXT', delayMs: context.nextDelayMs })),
    /** Applies keepalived's counting; leaves what the real server must hear in `pendingReport`. */
    judgeResult: assign(({ context, event }) => {
      if (event.type !== 'PROBE_RESULT') return {};
      const verdict = judge(context.params, context, event);
      const pendingReport: CheckerReport | undefined = verdict.report
        ? { id: context.id, up: verdict.counters.up, weight: verdict.counters.weight, firstRun: !context.hasRun, detail: event.detail }
        : undefined;
      return { ...verdict.counters, nextDelayMs: verdict.nextDelayMs, lastDetail: event.detail, pendingReport };
    }),
  },
  guards: {
    enabled: ({ context }) => context.enabled,
    up: ({ context }) => context.up,
    down: ({ context }) => !context.up,
  },
});

const reportIfPending = checkerSetup.enqueueActions(({ context, enqueue }) => {
  if (context.pendingReport !== undefined) enqueue({ type: 'report', params: context.pendingReport });
});

export const checkerMachine = checkerSetup.createMachine({
  id: 'checker',
  context: ({ input }) => ({
    ...initialCounters(input.params, input.initialUp),
    id: input.id,
    params: input.params,
    enabled: input.enabled,
    nextDelayMs: input.firstDelayMs,
    lastDetail: '',
    pendingReport: undefined,
  }),
  invoke: {
    id: 'probeLoop',
    src: 'probeLoop',
    input: ({ context }) => ({
      id: context.id,
      firstDelayMs: context.nextDelayMs,
      timeoutMs: context.params.timeoutMs,
      delayLoopMs: context.params.delayLoopMs,
      enabled: context.enabled,
      fromStart: context.params.fromStart,
    }),
  },
  on: {
    PROBE_RESULT: { actions: ['judgeResult', reportIfPending, 'probeNext'] },
    ENABLE: { actions: ['setEnabled', 'tellLoopEnabled'] },
    DISABLE: { actions: ['setEnabled', 'tellLoopEnabled'] },
    CHECK_NOW: { guard: 'enabled', actions: 'probeNow' },
  },
  initial: 'start',
  states: {
    /** alpha, or a restarted checker last reported DOWN, starts `down`; otherwise `up`. */
    start: { always: [{ guard: 'up', target: 'up' }, { target: 'down' }] },
    up: { always: { guard: 'down', target: 'down' } },
    down: { always: { guard: 'up', target: 'up' } },
  },
});
