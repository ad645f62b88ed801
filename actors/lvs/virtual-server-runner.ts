/**
 * Runs one virtual server: the machine of machines/virtual-server.ts (with its real servers as children) bound
 * to the load balancer (through LoadBalancerSync), to the checker host (ha_suspend pauses its checkers) and to a
 * notification sink (notify_up/notify_down, quorum_up/quorum_down).
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { virtualServerMachine, type VirtualServerContext } from '../../machines/virtual-server.js';
import { realServerMachine, type RealServerContext } from '../../machines/real-server.js';
import { desiredServices, poolOf } from '../../machines/virtual-server-pool.js';
import type { CheckerReport } from '../../machines/checker.js';
import type { Clock } from '../../machines/clock.js';
import type { Destination } from '../../machines/desired-state.js';
import type { LoadBalancerSync } from './lb-sync.js';
import type { ResolvedVirtualServer } from '../checks/resolve-checkers.js';

export type LbNotification =
  | { readonly kind: 'real_server'; readonly at: number; readonly vs: string; readonly rs: string; readonly state: 'UP' | 'DOWN'; readonly script?: string }
  | { readonly kind: 'quorum'; readonly at: number; readonly vs: string; readonly state: 'UP' | 'DOWN'; readonly script?: string }
  | { readonly kind: 'suspend'; readonly at: number; readonly vs: string; readonly suspended: boolean }
  /**
   * vigil stops and no script runs (no omega): live real server `rs` leaves, or (no `rs`) the virtual server's
   * quorum ends; only keepalived's SNMP notification tells it.
   */
  | { readonly kind: 'stopped'; readonly at: number; readonly vs: string; readonly rs?: string };

export interface VirtualServerEnvironment {
  readonly clock: Clock;
  readonly lb: LoadBalancerSync;
  /** Pause / resume checkers (ha_suspend). */
  readonly setCheckersEnabled: (ids: readonly string[], enabled: boolean) => void;
  readonly notify: (notification: LbNotification) => void;
  readonly inspect?: (event: InspectionEvent) => void;
}

export class VirtualServerRunner {
  private readonly actor: Actor<typeof virtualServerMachine>;
  /** Checker id → real server key. */
  private readonly owners = new Map<string, string>();
  private dirty = true;

  constructor(
    readonly vs: ResolvedVirtualServer,
    private readonly env: VirtualServerEnvironment,
    options: {
      readonly masterAtStart: boolean;
      readonly initialUp?: ReadonlyMap<string, boolean>;
      /** global_defs rs_init_notifies: whether this real server (by key) notifies that it is alive at start. */
      readonly initNotify?: ((rsKey: string) => boolean) | undefined;
    },
  ) {
    const checkerIds = vs.realServers.flatMap((rs) => rs.checkers.map((c) => c.id));
    for (const rs of vs.realServers) for (const c of [...rs.checkers, ...(rs.bfdChecks ?? [])]) this.owners.set(c.id, rs.key);
    const rsFor = (key: string) => vs.realServers.find((r) => r.key === key);
    const realServer = realServerMachine.provide({
      actions: {
        notifyUp: (_, { key }) =>
          env.notify({ kind: 'real_server', at: env.clock.now(), vs: vs.key, rs: key, state: 'UP', ...script(rsFor(key)?.notifyUp) }),
        notifyDown: (_, { key }) =>
          env.notify({ kind: 'real_server', at: env.clock.now(), vs: vs.key, rs: key, state: 'DOWN', ...script(rsFor(key)?.notifyDown) }),
        notifyStopped: (_, { key }) => env.notify({ kind: 'stopped', at: env.clock.now(), vs: vs.key, rs: key }),
      },
    });
    const machine = virtualServerMachine.provide({
      actors: { realServer },
      actions: {
        publish: () => {
          this.dirty = true;
        },
        notifyQuorumUp: () => env.notify({ kind: 'quorum', at: env.clock.now(), vs: vs.key, state: 'UP', ...script(vs.quorumUp) }),
        notifyQuorumDown: () => env.notify({ kind: 'quorum', at: env.clock.now(), vs: vs.key, state: 'DOWN', ...script(vs.quorumDown) }),
        notifyQuorumStopped: () => env.notify({ kind: 'stopped', at: env.clock.now(), vs: vs.key }),
        suspendCheckers: () => {
          env.setCheckersEnabled(checkerIds, false);
          env.notify({ kind: 'suspend', at: env.clock.now(), vs: vs.key, suspended: true });
        },
        resumeCheckers: () => {
          env.setCheckersEnabled(checkerIds, true);
          env.notify({ kind: 'suspend', at: env.clock.now(), vs: vs.key, suspended: false });
        },
      },
    });
    this.actor = createActor(machine, {
      clock: env.clock,
      inspect: env.inspect,
      id: `vs:${vs.key}`,
      input: {
        key: vs.key,
        services: vs.services,
        ...(vs.sorryServer !== undefined ? { sorryServer: vs.sorryServer } : {}),
        sorryServerInhibit: vs.sorryServerInhibit,
        realServers: vs.realServers,
        quorum: vs.quorum,
        hysteresis: vs.hysteresis,
        omega: vs.omega,
        haSuspend: vs.haSuspend,
        masterAtStart: options.masterAtStart,
        realServerInputs: vs.realServers.map((rs) => ({
          key: rs.key,
          weight: rs.weight,
          checkers: [
            ...rs.checkers.map((c) => ({ id: c.id, up: options.initialUp?.get(c.id) ?? !c.params.alpha })),
            ...(rs.bfdChecks ?? []).map((c) => ({ id: c.id, up: options.initialUp?.get(c.id) ?? !c.alpha })),
          ],
          notifyInitialUp: options.initNotify?.(rs.key) ?? false,
        })),
      },
    });
    // Tell the load balancer once per macrostep; it computes the services when it flushes (coalesced).
    this.actor.subscribe(() => {
      if (!this.dirty) return;
      this.dirty = false;
      env.lb.set(vs.key, this.services);
    });
  }

  start(): void {
    this.actor.start();
    if (this.dirty) {
      this.dirty = false;
      this.env.lb.set(this.vs.key, this.services);
    }
  }

  /** The services this virtual server asks of the load balancer now. */
  readonly services = (): ReturnType<typeof desiredServices> => {
    const c = this.context;
    return desiredServices(c.input, c.members, c.quorumUp);
  };

  /** Owns this checker? */
  owns(checkerId: string): boolean {
    return this.owners.has(checkerId);
  }

  report(report: CheckerReport): void {
    const rs = this.owners.get(report.id);
    if (rs !== undefined) this.actor.send({ type: 'CHECKER', rs, report });
  }

  /** An SNMP set of a real server's weight (realServerWeight); false when this virtual server has no such server. */
  setWeight(rsKey: string, weight: number): boolean {
    if (this.context.members[rsKey] === undefined) return false;
    this.actor.send({ type: 'SET_WEIGHT', rs: rsKey, weight });
    return true;
  }

  /** A reload that keeps this virtual server: the configured weights again (keepalived set_effective_weights). */
  resetWeights(): void {
    this.actor.send({ type: 'RESET_WEIGHTS' });
  }

  vrrp(master: boolean): void {
    this.actor.send({ type: 'VRRP', master });
  }

  /** The daemon stops: notifications (with omega), then the actor ends and the service leaves the pool. */
  shutdown(): void {
    this.actor.send({ type: 'SHUTDOWN' });
    this.actor.stop();
    this.env.lb.delete(this.vs.key);
  }

  get context(): VirtualServerContext {
    return this.actor.getSnapshot().context;
  }

  get quorumUp(): boolean {
    return this.context.quorumUp;
  }

  alive(rsKey: string): boolean {
    return this.context.members[rsKey]?.alive ?? false;
  }

  /** How many of a real server's checkers fail now (keepalived num_failed_checkers). */
  failedChecks(rsKey: string): number {
    const child = this.actor.getSnapshot().children[rsKey] as { getSnapshot(): { context: RealServerContext } } | undefined;
    const checkers = child?.getSnapshot().context.checkers ?? {};
    return Object.values(checkers).filter((c) => !c.up).length;
  }

  /** The destinations and sorry server the load balancer is told about. */
  pool(): { destinations: Destination[]; sorry: Destination | undefined } {
    const c = this.context;
    return poolOf(c.input, c.members, c.quorumUp);
  }
}

function script(name: string | undefined): { script?: string } {
  return name === undefined ? {} : { script: name };
}
