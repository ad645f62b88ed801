/**
 * Runs one checker: the pure machine of machines/checker.ts bound to a prober. `startProbe` becomes a probe
 * whose result returns as PROBE_RESULT; `report` and every probe result are published as CheckerEvents.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { checkerMachine, firstProbeDelayMs, type CheckerReport } from '../machines/checker.js';
import type { Clock } from '../transport/clock.js';
import type { Random } from '../transport/random.js';
import { isCallbackProber, type ProbeResult, type Prober } from '../transport/probers/prober.js';
import type { ResolvedChecker } from './resolve-checkers.js';

export type CheckerEvent =
  | { readonly kind: 'probe'; readonly at: number; readonly checker: string; readonly ok: boolean; readonly latencyMs: number; readonly detail: string }
  | { readonly kind: 'report'; readonly at: number; readonly report: CheckerReport };

export interface CheckerEnvironment {
  readonly clock: Clock;
  readonly random: Random;
  readonly prober: Prober;
  readonly publish: (event: CheckerEvent) => void;
  readonly inspect?: (event: InspectionEvent) => void;
}

export interface CheckerStartOptions {
  /** False while the owning virtual server is suspended (ha_suspend). */
  readonly enabled: boolean;
  /** The state last reported before a restart (worker crash), if any. */
  readonly initialUp?: boolean;
}

export class CheckerRunner {
  private readonly actor: Actor<typeof checkerMachine>;
  private stopped = false;

  constructor(
    readonly checker: ResolvedChecker,
    private readonly env: CheckerEnvironment,
    options: CheckerStartOptions,
  ) {
    const machine = checkerMachine.provide({
      actions: {
        startProbe: (_, { seq }) => this.probe(seq),
        report: (_, report) => env.publish({ kind: 'report', at: env.clock.now(), report }),
      },
    });
    this.actor = createActor(machine, {
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

  start(): void {
    this.actor.start();
  }

  stop(): void {
    this.stopped = true;
    this.actor.stop();
  }

  setEnabled(enabled: boolean): void {
    if (!this.stopped) this.actor.send({ type: enabled ? 'ENABLE' : 'DISABLE' });
  }

  checkNow(): void {
    if (!this.stopped) this.actor.send({ type: 'CHECK_NOW' });
  }

  private probe(seq: number): void {
    const { prober, clock } = this.env;
    const deliver = (result: ProbeResult): void => {
      if (this.stopped) return;
      this.env.publish({
        kind: 'probe',
        at: clock.now(),
        checker: this.checker.id,
        ok: result.ok,
        latencyMs: result.latencyMs,
        detail: result.detail,
      });
      this.actor.send({
        type: 'PROBE_RESULT',
        seq,
        ok: result.ok,
        latencyMs: result.latencyMs,
        detail: result.detail,
        ...(result.weight !== undefined ? { weight: result.weight } : {}),
      });
    };
    if (isCallbackProber(prober)) prober.probeWith(this.checker.probe, deliver);
    else prober.probe(this.checker.probe).then(deliver, (err: unknown) => deliver({ ok: false, detail: String(err), latencyMs: 0 }));
  }
}
