/**
 * Runs one `vrrp_script` as an actor: the tracked-script machine bound to a process runner. Each status change
 * goes to `onStatus` (the VRRP node turns it into TRACK events for the instances that track `script:NAME`).
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import { runProcess, type ProcessRunner } from '../../transport/process-runner.js';
import { scriptArgv } from '../scripts/script-command.js';
import { trackedScriptMachine } from '../../machines/tracked-script.js';
import { OwnedActor } from '../owned-actor.js';

export interface ScriptTrackerSpec {
  readonly name: string;
  readonly script: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
}

export interface ScriptTrackerEnvironment {
  readonly clock: Clock;
  readonly runner: ProcessRunner;
  readonly onStatus: (name: string, up: boolean) => void;
  readonly onRun?: (name: string, outcome: string) => void;
  readonly inspect?: (event: InspectionEvent) => void;
}

export class ScriptTracker extends OwnedActor<Actor<typeof trackedScriptMachine>> {
  constructor(
    readonly spec: ScriptTrackerSpec,
    env: ScriptTrackerEnvironment,
  ) {
    super();
    const argv = scriptArgv(spec.script);
    const machine = trackedScriptMachine.provide({
      actions: {
        runScript: () => {
          runProcess(env.runner, { argv, timeoutMs: spec.timeoutMs, user: spec.user }, (outcome) => {
            if (this.stopped) return;
            env.onRun?.(spec.name, outcome.kind === 'exited' ? `exit ${outcome.code}` : outcome.kind);
            this.actor.send({ type: 'RESULT', ok: outcome.kind === 'exited' && outcome.code === 0 });
          });
        },
        statusChanged: (_, params) => env.onStatus(spec.name, params.up),
      },
    });
    this.actor = createActor(machine, {
      input: { name: spec.name, intervalMs: spec.intervalMs, rise: spec.rise, fall: spec.fall, initFail: spec.initFail },
      clock: env.clock,
      inspect: env.inspect,
      id: `script:${spec.name}`,
    });
  }

  get up(): boolean {
    return this.actor.getSnapshot().context.up;
  }
}
