/**
 * Supervision of one instance's actor (keepalived's watchdog restarts a dead child): an actor that failed, in an
 * action or in one of its timers, is rebuilt with the tracked objects' current status. A master goes straight back
 * to MASTER (addresses re-added, a no-op for those still there): a restart never drops a VIP the instance owns.
 * The rebuild's own steps are not news: `recovering` is set meanwhile, and the runner publishes none of them.
 */
import type { Actor } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import { vrrpStateName, type TrackerInput, type vrrpInstanceMachine } from '../../machines/vrrp-instance.js';
import type { Bus } from '../bus.js';

type InstanceActor = Actor<typeof vrrpInstanceMachine>;

export interface SupervisorEnvironment {
  readonly node: string;
  readonly clock: Clock;
  readonly bus: Bus;
}

export class InstanceSupervisor {
  /** Times the actor was restarted after an error. */
  restarts = 0;
  /** Set while a failed actor is being rebuilt. */
  recovering = false;

  constructor(
    private readonly instance: string,
    private readonly env: SupervisorEnvironment,
  ) {}

  /**
   * Replaces `failed` by a new actor from `create`, started and brought back to MASTER when `wasMaster`; says so
   * on the bus. Returns the new actor.
   */
  restart(failed: InstanceActor, error: unknown, wasMaster: boolean, create: (trackers: readonly TrackerInput[]) => InstanceActor): InstanceActor {
    const env = this.env;
    const context = failed.getSnapshot().context;
    const trackers = Object.entries(context.trackers).map(([id, t]) => ({ id, weight: t.weight, up: t.up }));
    this.restarts++;
    env.bus.publish({
      kind: 'warning',
      at: env.clock.now(),
      node: env.node,
      instance: this.instance,
      message: `instance actor failed (${error instanceof Error ? error.message : String(error)}); restarted${wasMaster ? ' as MASTER' : ''}`,
    });
    this.recovering = true;
    try {
      const actor = create(trackers);
      actor.start();
      actor.send({ type: 'START' });
      if (wasMaster && vrrpStateName(actor.getSnapshot().value) === 'BACKUP') actor.send({ type: 'SYNC', state: 'MASTER' });
      return actor;
    } finally {
      this.recovering = false;
    }
  }
}
