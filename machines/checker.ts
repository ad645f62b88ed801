/**
 * One health checker (keepalived TCP_CHECK, HTTP_GET, MISC_CHECK, …) as a machine: it waits, asks for a probe,
 * and judges the result with keepalived's counting (./checker-logic.ts). No I/O and no timers of its own: the
 * probe is the named action `startProbe` (the runtime answers with PROBE_RESULT carrying the same `seq`), the
 * deadline is the named delay `probeTimeout`, and what the real server must hear is the named action `report`.
 *
 * Timing (keepalived check_api.c register_checkers_thread): the first probe runs 1 s (BOOTSTRAP_DELAY) plus a
 * random part of `warmup` after start; the runtime draws that and passes it as `firstDelayMs`. The next probe is
 * scheduled when a probe ends (after delay_loop, delay_before_retry or the "while down" delay), except MISC_CHECK
 * which counts from the previous start. While suspended (ha_suspend), the due time passes without a probe and
 * the checker looks again after delay_loop, keeping its state.
 */
import { assign, setup } from 'xstate';
import { initialCounters, judge, type CheckerCounters, type CheckerParams, type ProbeWeight } from './checker-logic.js';

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
  /** Number of the probe in flight; results for any other number are stale and ignored. */
  readonly seq: number;
  readonly nextDelayMs: number;
  readonly lastDetail: string;
  /** Set by judging a result when the real server must hear of it; sent by `report` at once. */
  readonly pendingReport: CheckerReport | undefined;
}

export type CheckerEvent =
  | { type: 'PROBE_RESULT'; seq: number; ok: boolean; latencyMs: number; detail: string; weight?: ProbeWeight }
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
  actions: {
    /** Start probe number `seq`; answer with PROBE_RESULT { seq }. */
    startProbe: (_, _params: { seq: number }) => {},
    /** Tell the real server. */
    report: (_, _params: CheckerReport) => {},
    nextSeq: assign(({ context }) => ({ seq: context.seq + 1 })),
    waitLoop: assign(({ context }) => ({ nextDelayMs: context.params.delayLoopMs })),
    setEnabled: assign(({ event }) => ({ enabled: event.type === 'ENABLE' })),
    /** Applies keepalived's counting; leaves what the real server must hear in `pendingReport`. */
    judgeResult: assign(({ context, event }) => {
      const outcome =
        event.type === 'PROBE_RESULT'
          ? { ok: event.ok, latencyMs: event.latencyMs, weight: event.weight, detail: event.detail }
          : { ok: false, latencyMs: context.params.timeoutMs, weight: undefined, detail: 'timeout' };
      const verdict = judge(context.params, context, outcome);
      const pendingReport: CheckerReport | undefined = verdict.report
        ? { id: context.id, up: verdict.counters.up, weight: verdict.counters.weight, firstRun: !context.hasRun, detail: outcome.detail }
        : undefined;
      return { ...verdict.counters, nextDelayMs: verdict.nextDelayMs, lastDetail: outcome.detail, pendingReport };
    }),
  },
  guards: {
    enabled: ({ context }) => context.enabled,
    currentProbe: ({ context, event }) => event.type === 'PROBE_RESULT' && event.seq === context.seq,
  },
  delays: {
    nextDelay: ({ context }) => context.nextDelayMs,
    probeTimeout: ({ context }) => context.params.timeoutMs,
  },
});

const reportIfPending = checkerSetup.enqueueActions(({ context, enqueue }) => {
  if (context.pendingReport !== undefined) enqueue({ type: 'report', params: context.pendingReport });
});

export const checkerMachine = checkerSetup.createMachine({
  id: 'checker',
  initial: 'waiting',
  context: ({ input }) => ({
    ...initialCounters(input.params, input.initialUp),
    id: input.id,
    params: input.params,
    enabled: input.enabled,
    seq: 0,
    nextDelayMs: input.firstDelayMs,
    lastDetail: '',
    pendingReport: undefined,
  }),
  on: {
    ENABLE: { actions: 'setEnabled' },
    DISABLE: { actions: 'setEnabled' },
  },
  states: {
    waiting: {
      after: {
        nextDelay: [
          { guard: 'enabled', target: 'probing' },
          // Suspended: keepalived reschedules the checker thread every delay_loop without probing.
          { target: 'waiting', reenter: true, actions: 'waitLoop' },
        ],
      },
      on: {
        CHECK_NOW: { guard: 'enabled', target: 'probing' },
      },
    },
    probing: {
      entry: ['nextSeq', { type: 'startProbe', params: ({ context }) => ({ seq: context.seq }) }],
      after: {
        probeTimeout: { target: 'waiting', actions: ['judgeResult', reportIfPending] },
      },
      on: {
        PROBE_RESULT: { guard: 'currentProbe', target: 'waiting', actions: ['judgeResult', reportIfPending] },
      },
    },
  },
});

export type CheckerMachine = typeof checkerMachine;
