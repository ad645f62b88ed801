/**
 * The probe cycle of one health checker as an actor that the checker machine invokes (machines/checker.ts): wait
 * until the probe is due, start it, race it against connect_timeout (misc_timeout for MISC_CHECK), drop a result
 * that comes after the race was lost, and send the machine PROBE_RESULT. The machine judges the result and
 * answers NEXT with the delay until the next probe. Built on the injected Clock, so the same loop serves the
 * daemon and the simulator.
 *
 * Why an actor and not `after` transitions: a checker probes all day; as `after` transitions every check is two
 * state entries with a delayed event each (cancel and reschedule); here it is two clock timers and one event.
 */
import { fromCallback } from 'xstate';
import type { Clock, TimerId } from './clock.js';
import type { ProbeWeight } from './checker-logic.js';

/** A probe's result: ok, time taken, a one-line detail, and a weight for MISC_CHECK misc_dynamic / FILE_CHECK. */
export interface ProbeAnswer {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly detail: string;
  readonly weight?: ProbeWeight;
}

/**
 * A result as the machine hears it; a lost race is `{ ok: false, detail: 'timeout' }`. It carries what the machine
 * reads and nothing else, so that the same result is the same event (the runner's steady-state shortcut is keyed
 * on the whole event, actors/steady-shortcut.ts): the time the probe took only where the next probe counts from
 * the start of this one (MISC_CHECK), since nothing else reads it.
 */
export interface ProbeResultEvent {
  readonly type: 'PROBE_RESULT';
  readonly ok: boolean;
  readonly detail: string;
  readonly weight?: ProbeWeight;
  readonly latencyMs?: number;
}

/** The machine's event for a result; `fromStart`: the checker's schedule counts from the start of a probe. */
export function probeResultEvent(answer: ProbeAnswer, fromStart: boolean): ProbeResultEvent {
  const event: { -readonly [K in keyof ProbeResultEvent]: ProbeResultEvent[K] } = { type: 'PROBE_RESULT', ok: answer.ok, detail: answer.detail };
  if (answer.weight !== undefined) event.weight = answer.weight;
  if (fromStart) event.latencyMs = answer.latencyMs;
  return event;
}

/** What the machine tells its probe loop. */
export type ProbeLoopCommand =
  /** The result is judged: the next probe is due after `delayMs`. */
  | { readonly type: 'NEXT'; readonly delayMs: number }
  /** ha_suspend: while disabled a due time passes without a probe, and the loop looks again after delay_loop. */
  | { readonly type: 'ENABLE' }
  | { readonly type: 'DISABLE' }
  /** Probe at once instead of at the due time (FILE_CHECK: the file changed); ignored while a probe runs. */
  | { readonly type: 'PROBE_NOW' };

export interface ProbeLoopInput {
  /** The checker's id, passed to the hooks (one set of hooks can serve many checkers). */
  readonly id: string;
  /** Until the first probe: BOOTSTRAP_DELAY + the warmup draw. */
  readonly firstDelayMs: number;
  readonly timeoutMs: number;
  readonly delayLoopMs: number;
  readonly enabled: boolean;
  /** MISC_CHECK: the next probe counts from the start of the previous one (the machine needs the latency). */
  readonly fromStart: boolean;
}

/** A live probe loop, for a runtime that answers a result itself (the steady-state shortcut). */
export interface ProbeLoopHandle {
  /** Schedule the next probe, exactly as the machine's NEXT would. */
  next(delayMs: number): void;
}

export interface ProbeLoopHooks {
  /**
   * Start one probe; `done` is called once with its result (a call after the timeout is ignored). Return true when
   * the prober keeps the timeout itself (it answers by then, a timeout included): the loop then sets no timer of
   * its own, one clock timer less per probe.
   */
  readonly probe: (done: (result: ProbeAnswer) => void, id: string) => boolean;
  /**
   * Every result (a timeout included) goes here instead of straight to the machine, when given: the runtime then
   * sends it to the machine (probeResultEvent), or answers it itself through the handle.
   */
  readonly result?: (answer: ProbeAnswer, loop: ProbeLoopHandle, id: string) => void;
  /** The machine answered a result with NEXT (after `result` sent it). */
  readonly scheduled?: (delayMs: number, id: string) => void;
}

export function probeLoop(clock: Clock, hooks: ProbeLoopHooks) {
  return fromCallback<ProbeLoopCommand, ProbeLoopInput>(({ input, sendBack, receive }) => {
    const { id, timeoutMs, delayLoopMs } = input;
    let enabled = input.enabled;
    /** The pending due-time timer, or the pending timeout while probing. */
    let timer: TimerId | undefined;
    /** Number of the probe in flight (0: none); a result for any other number is stale. */
    let inFlight = 0;
    let seq = 0;
    let stopped = false;
    const handle: ProbeLoopHandle = { next: (delayMs) => wait(delayMs) };
    const deliver = (answer: ProbeAnswer): void => {
      if (hooks.result) hooks.result(answer, handle, id);
      else sendBack(probeResultEvent(answer, input.fromStart));
    };
    const timedOut: ProbeAnswer = { ok: false, latencyMs: timeoutMs, detail: 'timeout' };
    function wait(delayMs: number): void {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(due, delayMs);
    }
    function due(): void {
      timer = undefined;
      // Suspended: keepalived reschedules the checker thread every delay_loop without probing.
      if (!enabled) wait(delayLoopMs);
      else start();
    }
    function timeout(): void {
      timer = undefined;
      inFlight = 0;
      deliver(timedOut);
    }
    function start(): void {
      const mine = ++seq;
      inFlight = mine;
      const selfTimed = hooks.probe((answer) => {
        if (stopped || inFlight !== mine) return;
        inFlight = 0;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        deliver(answer);
      }, id);
      // The race against connect_timeout, unless the prober keeps it (or has answered already).
      if (!selfTimed && inFlight === mine && !stopped) timer = clock.setTimeout(timeout, timeoutMs);
    }
    receive((command) => {
      switch (command.type) {
        case 'NEXT':
          hooks.scheduled?.(command.delayMs, id);
          wait(command.delayMs);
          break;
        case 'ENABLE':
        case 'DISABLE':
          enabled = command.type === 'ENABLE';
          break;
        case 'PROBE_NOW':
          if (inFlight !== 0 || !enabled) break;
          if (timer !== undefined) clock.clearTimeout(timer);
          timer = undefined;
          start();
          break;
      }
    });
    wait(input.firstDelayMs);
    return () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    };
  });
}

/** The checker's actors bound to a clock, ready for `machine.provide({ actors })`. */
export function checkerTimers(clock: Clock, hooks: ProbeLoopHooks) {
  return { probeLoop: probeLoop(clock, hooks) };
}
