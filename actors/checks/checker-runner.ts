/**
 * Runs one checker: the pure machine of machines/checker.ts with its probe loop (machines/checker-timers.ts)
 * bound to the clock and a prober. `report` is published as a CheckerEvent; every probe result is counted, and
 * published as a 'probe' CheckerEvent only for a host that asked for them.
 *
 * Steady state: a checker that keeps getting the same result (a healthy server, or a dead one) gets the same
 * answer from its machine every time — "next probe after d", nothing else. Once the machine gave that answer and
 * nothing else happened to it since, the runner gives the same answer to the same result event without running
 * the machine (../steady-shortcut.ts; `shortcuts` counts them). Observed too: the inspector hears of each result
 * so answered (its `absorbed` hook), and the stream sums a run of them up.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { checkerMachine, firstProbeDelayMs, type CheckerReport } from '../../machines/checker.js';
import { checkerTimers, probeResultEvent, type ProbeAnswer, type ProbeLoopHandle, type ProbeResultEvent } from '../../machines/checker-timers.js';
import { sameWeight, type ProbeWeight } from '../../machines/checker-logic.js';
import { absorbedHook, SteadyShortcut } from '../steady-shortcut.js';
import { OwnedActor } from '../owned-actor.js';
import type { Clock } from '../../machines/clock.js';
import type { Random } from '../../transport/random.js';
import { isCallbackProber, type ProbeResult, type Prober } from '../../transport/prober.js';
import type { ResolvedChecker } from './resolve-checkers.js';

export type CheckerEvent =
  | { readonly kind: 'probe'; readonly at: number; readonly checker: string; readonly ok: boolean; readonly latencyMs: number; readonly detail: string }
  | { readonly kind: 'report'; readonly at: number; readonly report: CheckerReport }
  /** keepalived `log_all_failures`: a failed probe while the checker is up (or before its first result). */
  | { readonly kind: 'failure'; readonly at: number; readonly checker: string; readonly detail: string };

export interface CheckerEnvironment {
  readonly clock: Clock;
  readonly random: Random;
  readonly prober: Prober;
  /** Reports, and 'probe' events when `publishProbes`. */
  readonly publish: (event: CheckerEvent) => void;
  /** Publish a 'probe' event for every result (default true); the worker has nobody listening to them. */
  readonly publishProbes?: boolean;
  /** Called for every probe result (a timeout included), published or not: the host's counters. */
  readonly probed?: (ok: boolean) => void;
  readonly inspect?: (event: InspectionEvent) => void;
  /** The steady-state shortcut (default on; tests turn it off). Observed, its answers are summed up in the stream. */
  readonly steadyShortcut?: boolean;
}

export interface CheckerStartOptions {
  /** False while the owning virtual server is suspended (ha_suspend). */
  readonly enabled: boolean;
  /** The state last reported before a restart (worker crash), if any. */
  readonly initialUp?: boolean;
}

/**
 * One provided checker machine for many checkers on one clock (a host's): its implementations find their runner
 * by checker id, so that each checker costs an actor, not a machine of its own as well.
 */
export class CheckerRuntime {
  readonly machine;
  private readonly runners = new Map<string, CheckerRunner>();

  constructor(readonly clock: Clock) {
    this.machine = checkerMachine.provide({
      actions: {
        report: (_, report) => this.runners.get(report.id)?.reported(report),
      },
      actors: checkerTimers(clock, {
        probe: (done, id) => this.runners.get(id)?.probe(done) ?? false,
        result: (answer, loop, id) => this.runners.get(id)?.result(answer, loop),
        scheduled: (delayMs, id) => this.runners.get(id)?.scheduledNext(delayMs),
      }),
    });
  }

  register(runner: CheckerRunner): void {
    if (this.runners.has(runner.checker.id)) throw new Error(`duplicate checker id ${runner.checker.id}`);
    this.runners.set(runner.checker.id, runner);
  }

  unregister(runner: CheckerRunner): void {
    if (this.runners.get(runner.checker.id) === runner) this.runners.delete(runner.checker.id);
  }
}

export class CheckerRunner extends OwnedActor<Actor<CheckerRuntime['machine']>> {
  private readonly runtime: CheckerRuntime;
  private readonly publishProbes: boolean;
  /** The machine's answer to a result in the steady state: the next probe after this delay, and nothing else. */
  private readonly steady: SteadyShortcut<ProbeResultEvent, number>;
  /** The probe loop of the result being delivered (the shortcut's answer goes to it). */
  private loop: ProbeLoopHandle | undefined;
  private readonly nextProbe = (delayMs: number): boolean => {
    this.loop?.next(delayMs);
    return this.loop !== undefined;
  };

  /** `runtime`: shared with the other checkers of a host on the same clock; by default one of its own. */
  constructor(
    readonly checker: ResolvedChecker,
    private readonly env: CheckerEnvironment,
    options: CheckerStartOptions,
    runtime?: CheckerRuntime,
  ) {
    super();
    this.publishProbes = env.publishProbes ?? true;
    const absorbed = absorbedHook(env.inspect);
    this.steady = new SteadyShortcut({
      remember: () => env.steadyShortcut !== false && !this.stopped,
      sameField: sameCheckerField,
      hit: absorbed && ((event) => absorbed(this.actor, event)),
    });
    this.runtime = runtime ?? new CheckerRuntime(env.clock);
    if (this.runtime.clock !== env.clock) throw new Error('a checker runtime serves the checkers of one clock');
    this.runtime.register(this);
    this.actor = createActor(this.runtime.machine, {
      clock: env.clock,
      inspect: env.inspect,
      id: checker.id,
      input: {
        id: checker.id,
        params: checker.params,
        firstDelayMs: firstProbeDelayMs(checker.warmupMs, env.random.next()),
        enabled: options.enabled,
        ...(options.initialUp !== undefined ? { initialUp: options.initialUp } : {}),
      },
    });
  }

  get up(): boolean {
    return this.actor.getSnapshot().context.up;
  }

  override stop(): void {
    super.stop();
    this.runtime.unregister(this);
  }

  setEnabled(enabled: boolean): void {
    if (!this.stopped) this.actor.send({ type: enabled ? 'ENABLE' : 'DISABLE' });
  }

  checkNow(): void {
    if (!this.stopped) this.actor.send({ type: 'CHECK_NOW' });
  }

  /** Results answered without the machine (the steady-state shortcut). */
  get shortcuts(): number {
    return this.steady.hits;
  }

  /** The machine's `report`. */
  reported(report: CheckerReport): void {
    this.steady.effect();
    this.env.publish({ kind: 'report', at: this.env.clock.now(), report });
  }

  /** The machine told the probe loop when to probe next. */
  scheduledNext(delayMs: number): void {
    this.steady.answered(delayMs);
  }

  /** Starts this checker's probe (the probe loop's `probe`); true when the prober keeps the timeout itself. */
  probe(done: (result: ProbeResult) => void): boolean {
    const prober = this.env.prober;
    if (isCallbackProber(prober)) return prober.probeWith(this.checker.probe, done);
    prober.probe(this.checker.probe).then(done, (err: unknown) => done({ ok: false, detail: String(err), latencyMs: 0 }));
    return false;
  }

  /** A result from the probe loop (a timeout included): to the machine, or answered as the machine last did. */
  result(event: ProbeAnswer, loop: ProbeLoopHandle): void {
    if (this.stopped) return;
    const env = this.env;
    env.probed?.(event.ok);
    if (this.publishProbes) {
      env.publish({ kind: 'probe', at: env.clock.now(), checker: this.checker.id, ok: event.ok, latencyMs: event.latencyMs, detail: event.detail });
    }
    if (!event.ok && this.checker.logAllFailures === true) {
      // keepalived logs these only while the checker is up (is_up || !has_run): not again and again once down.
      const { up, hasRun } = this.actor.getSnapshot().context;
      if (up || !hasRun) env.publish({ kind: 'failure', at: env.clock.now(), checker: this.checker.id, detail: event.detail });
    }
    this.loop = loop;
    this.steady.deliver(this.actor, probeResultEvent(event, this.checker.params.fromStart), this.nextProbe);
    this.loop = undefined;
  }
}

/** The weight is a fresh object per probe: compared by value; every other field by reference. */
function sameCheckerField(key: string, x: unknown, y: unknown): boolean {
  return key === 'weight' && sameWeight(x as ProbeWeight | undefined, y as ProbeWeight | undefined);
}
