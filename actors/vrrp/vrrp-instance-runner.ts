/**
 * Runs one VRRP instance: the pure machine of machines/vrrp-instance.ts bound to transports. Its named actions
 * become packets on a VRRP channel, addresses through the address manager and announcements; received packets
 * pass the receive checks (RFC 5798 §7.1) before the machine sees them.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Clock } from '../../machines/clock.js';
import type { AddressManager, Announcer } from '../../transport/address-manager.js';
import { type ReceivedPacket, type VrrpChannel } from '../../transport/vrrp-link.js';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from '../../protocol/vrrp-types.js';
import type { DropReason, VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { checkAdvertisement, type InstanceExpectations } from '../../protocol/receive-checks.js';
import { compareAddresses } from '../../protocol/ip.js';
import { vrrpInstanceMachine, vrrpStateName, type VrrpInstanceEvent, type VrrpStateName } from '../../machines/vrrp-instance.js';
import { trackersFault } from '../../machines/vrrp-priority.js';
import { vrrpTimers, type MasterDownHandle } from '../../machines/vrrp-timers.js';
import { SteadyShortcut } from '../steady-shortcut.js';
import type { Bus } from '../bus.js';
import type { RouteManager } from '../../transport/routes.js';
import { advertisementOf, type VrrpInstanceSpec } from './instance-spec.js';
import { Announcements } from './announcements.js';

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  priorityZeroSent: number;
  priorityZeroReceived: number;
  becomeMaster: number;
  releaseMaster: number;
  transitions: number;
  addressListErrors: number;
  drops: Partial<Record<DropReason, number>>;
}

export interface InstanceEnvironment {
  readonly node: string;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly addresses: AddressManager;
  readonly announcer: Announcer;
  readonly channel: VrrpChannel;
  /** virtual_routes / virtual_rules; absent where the host has none (the simulator). */
  readonly routes?: RouteManager | undefined;
  /** XState inspection, for the observability stream. */
  readonly inspect?: (event: InspectionEvent) => void;
  /** Called on every change of state or own-fault status (sync groups listen here). */
  readonly onStatus?: (status: { state: VrrpStateName; selfFault: boolean }) => void;
  /** The steady-state shortcut (default on; off in an observed run, where every event is shown, and in tests). */
  readonly steadyShortcut?: boolean;
}

type AdvertisementEvent = Extract<VrrpInstanceEvent, { type: 'ADVERTISEMENT' }>;

export function newCounters(): InstanceCounters {
  return {
    advertsSent: 0,
    advertsReceived: 0,
    priorityZeroSent: 0,
    priorityZeroReceived: 0,
    becomeMaster: 0,
    releaseMaster: 0,
    transitions: 0,
    addressListErrors: 0,
    drops: {},
  };
}

export class VrrpInstanceRunner {
  readonly counters: InstanceCounters = newCounters();
  private actor: Actor<typeof vrrpInstanceMachine>;
  private readonly machine: typeof vrrpInstanceMachine;
  /** Set while the supervisor rebuilds a crashed actor: its intermediate states are not news. */
  private recovering = false;
  /** Times the supervisor restarted this instance's actor after an error. */
  restarts = 0;
  private readonly announcements: Announcements;
  private readonly pending = new Set<Promise<void>>();
  private lastState: VrrpStateName = 'INIT';
  private lastSelfFault = false;
  /** What the receive checks compare against: fixed for the life of the instance (a reload makes a new one). */
  private readonly expectations: InstanceExpectations;
  /** The last advertisement encoded: a router sends the same bytes all day (hot path). */
  private lastEncoded: { key: string; bytes: Uint8Array } | undefined;
  /** The running Master_Down_Timer, while the machine waits as a BACKUP. */
  private masterDown: MasterDownHandle | undefined;
  /**
   * The steady state of a backup (../steady-shortcut.ts): its answer to the master's advertisement is to restart
   * Master_Down_Timer with this delay, and nothing else.
   */
  private readonly steady: SteadyShortcut<AdvertisementEvent, number>;
  private readonly restartMasterDown = (delayMs: number): boolean => {
    if (this.masterDown === undefined) return false;
    this.masterDown.restart(delayMs);
    return true;
  };
  /** The last tie-break (RFC 5798 §6.4.3): is this source above our address? Asked once per advertisement. */
  private lastTieBreak: { source: string; ours: string | undefined; higher: boolean } | undefined;

  constructor(
    readonly spec: VrrpInstanceSpec,
    private readonly env: InstanceEnvironment,
  ) {
    this.expectations = {
      version: spec.version,
      family: spec.family,
      priority: spec.priority,
      intervalCs: spec.advertIntervalCs,
      addresses: spec.advertisedAddresses,
      authType: spec.authType,
      authPassword: spec.authPassword,
      unicastPeers: spec.unicastPeers,
    };
    this.announcements = new Announcements(spec.virtualAddresses, env.announcer);
    this.steady = new SteadyShortcut({ remember: () => env.inspect === undefined && env.steadyShortcut !== false });
    this.machine = vrrpInstanceMachine.provide({
      actions: {
        sendAdvertisement: ({ context }) => this.sendAdvertisement(context.effectivePriority),
        sendPriorityZero: () => this.sendAdvertisement(0),
        addVirtualAddresses: () => this.changeAddresses('add'),
        removeVirtualAddresses: () => this.changeAddresses('del'),
        announce: (_, params) => {
          this.steady.effect();
          this.announcements.announce(params.count);
        },
        notify: ({ context }, params) => {
          this.steady.effect();
          if (this.recovering) return;
          env.bus.publish({
            kind: 'notify',
            at: env.clock.now(),
            node: env.node,
            instance: spec.name,
            state: params.state,
            priority: context.effectivePriority,
          });
        },
      },
      actors: vrrpTimers(env.clock, {
        advertise: () => this.fromTimer(() => this.sendAdvertisement(this.actor.getSnapshot().context.effectivePriority)),
        announce: (count) => this.fromTimer(() => this.announcements.announce(count)),
        masterDownStarted: (handle) => (this.masterDown = handle),
        // A timer stopping after its successor started (skewWait → waiting) must not forget the successor.
        masterDownStopped: (handle) => {
          if (this.masterDown === handle) this.masterDown = undefined;
        },
        masterDownRestarted: (delayMs) => this.steady.answered(delayMs),
      }),
    });
    this.actor = this.createInstanceActor(spec.trackers);
  }

  private createInstanceActor(trackers: VrrpInstanceSpec['trackers']): Actor<typeof vrrpInstanceMachine> {
    const actor = createActor(this.machine, {
      input: { params: this.spec, trackers },
      clock: this.env.clock,
      inspect: this.env.inspect,
      id: this.spec.name,
    });
    actor.subscribe({
      next: (snapshot) => this.observe(snapshot.value, snapshot.context),
      error: (error) => this.recover(error),
    });
    return actor;
  }

  /** A timer's work runs outside the machine's own error handling: a failure there fails the actor the same way. */
  private fromTimer(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.actor.stop();
      this.recover(error);
    }
  }

  /**
   * The supervisor's part (keepalived's watchdog restarts a dead child): an actor that failed is rebuilt with the
   * tracked objects' current status. A master goes straight back to MASTER (addresses re-added, which is a no-op
   * for those still there): a restart never drops a VIP the instance owns.
   */
  private recover(error: unknown): void {
    const env = this.env;
    const wasMaster = this.lastState === 'MASTER';
    const context = this.actor.getSnapshot().context;
    const trackers = Object.entries(context.trackers).map(([id, t]) => ({ id, weight: t.weight, up: t.up }));
    this.restarts++;
    env.bus.publish({
      kind: 'warning',
      at: env.clock.now(),
      node: env.node,
      instance: this.spec.name,
      message: `instance actor failed (${error instanceof Error ? error.message : String(error)}); restarted${wasMaster ? ' as MASTER' : ''}`,
    });
    this.recovering = true;
    try {
      this.actor = this.createInstanceActor(trackers);
      this.actor.start();
      this.actor.send({ type: 'START' });
      if (wasMaster && vrrpStateName(this.actor.getSnapshot().value) === 'BACKUP') this.actor.send({ type: 'SYNC', state: 'MASTER' });
    } finally {
      this.recovering = false;
    }
    const snapshot = this.actor.getSnapshot();
    this.observe(snapshot.value, snapshot.context);
  }

  get state(): VrrpStateName {
    return vrrpStateName(this.actor.getSnapshot().value);
  }

  get effectivePriority(): number {
    return this.actor.getSnapshot().context.effectivePriority;
  }

  get masterAddress(): string | undefined {
    return this.actor.getSnapshot().context.masterAddress;
  }

  start(): void {
    this.actor.start();
    this.actor.send({ type: 'START' });
  }

  /** Graceful shutdown: a master sends priority 0 and releases its addresses (RFC 5798 §6.4.3). */
  stop(): void {
    this.actor.send({ type: 'STOP' });
    this.halt();
  }

  /** Stops without a word, as a crashed host would: no priority 0, addresses left where they are. */
  halt(): void {
    this.actor.stop();
  }

  /** Resolves when every address change requested so far has been carried out (or has failed and been logged). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  track(id: string, up: boolean, value?: number): void {
    this.actor.send(value === undefined ? { type: 'TRACK', id, up } : { type: 'TRACK', id, up, value });
  }

  sync(state: 'MASTER' | 'BACKUP' | 'FAULT' | 'CLEAR'): void {
    this.actor.send({ type: 'SYNC', state });
  }

  /** A decoded advertisement for our VRID: run the per-instance receive checks, then hand it to the machine. */
  receive(packet: ReceivedPacket, advertisement: VrrpAdvertisement): void {
    const verdict = checkAdvertisement(
      { ttl: packet.ttl, multicast: this.spec.unicastPeers.length === 0, source: packet.source },
      advertisement,
      this.expectations,
    );
    if ('drop' in verdict) {
      this.countDrop(verdict.drop);
      return;
    }
    this.counters.advertsReceived++;
    if (advertisement.priority === 0) this.counters.priorityZeroReceived++;
    if (verdict.warnings.length > 0) {
      // keepalived ≥ 2.3.3 logs and counts a differing address list (addr_list_err); it never drops for it alone.
      this.counters.addressListErrors++;
    }
    const event: AdvertisementEvent = {
      type: 'ADVERTISEMENT',
      priority: advertisement.priority,
      intervalCs: advertisement.intervalCs,
      source: packet.source,
      sourceIsHigher: this.sourceIsHigher(packet.source),
    };
    this.steady.deliver(this.actor, event, this.restartMasterDown);
  }

  countDrop(reason: DropReason): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    const env = this.env;
    env.bus.publish({ kind: 'drop', at: env.clock.now(), node: env.node, instance: this.spec.name, reason });
  }

  /** Advertisements answered without the machine (the steady-state shortcut). */
  get shortcuts(): number {
    return this.steady.hits;
  }

  private sourceIsHigher(source: string): boolean {
    const ours = this.sourceAddress();
    const last = this.lastTieBreak;
    if (last !== undefined && last.source === source && last.ours === ours) return last.higher;
    const higher = ours === undefined || compareAddresses(source, ours) > 0;
    this.lastTieBreak = { source, ours, higher };
    return higher;
  }

  private sourceAddress(): string | undefined {
    return this.spec.unicastSourceAddress ?? this.env.addresses.primaryAddress(this.spec.interface, this.spec.family);
  }

  private sendAdvertisement(priority: number): void {
    this.steady.effect();
    const spec = this.spec;
    const source = this.sourceAddress();
    if (source === undefined) return;
    const destinations =
      spec.unicastPeers.length > 0 ? spec.unicastPeers : [spec.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6];
    for (const destination of destinations) this.env.channel.send(destination, this.encode(priority, source, destination));
    this.counters.advertsSent++;
    if (priority === 0) this.counters.priorityZeroSent++;
    const env = this.env;
    env.bus.publish({ kind: 'advert_sent', at: env.clock.now(), node: env.node, instance: spec.name, priority });
  }

  private encode(priority: number, source: string, destination: string): Uint8Array {
    const key = `${priority}|${source}|${destination}`;
    if (this.lastEncoded?.key === key) return this.lastEncoded.bytes;
    const spec = this.spec;
    const bytes = encodeAdvertisement(advertisementOf(spec, priority), { source, destination, v3ChecksumAsV2: spec.v3ChecksumAsV2 });
    // Unicast to several peers alternates destinations: only the single-destination case is worth keeping.
    if (spec.unicastPeers.length <= 1) this.lastEncoded = { key, bytes };
    return bytes;
  }

  private changeAddresses(action: 'add' | 'del'): void {
    this.steady.effect();
    const env = this.env;
    if (action === 'del') this.changeRoutes('del');
    for (const address of this.spec.virtualAddresses) {
      const request = action === 'add' ? env.addresses.addAddress(address) : env.addresses.removeAddress(address);
      const done = request.catch((err: unknown) =>
        env.bus.publish({
          kind: 'warning',
          at: env.clock.now(),
          node: env.node,
          instance: this.spec.name,
          message: `cannot ${action} ${address.address}/${address.prefix} on ${address.interface}: ${String(err)}`,
        }),
      );
      this.pending.add(done);
      void done.then(() => this.pending.delete(done));
      env.bus.publish({ kind: 'vip', at: env.clock.now(), node: env.node, instance: this.spec.name, address: address.address, action });
    }
    if (action === 'add') this.changeRoutes('add');
  }

  /** virtual_routes and virtual_rules follow the VIPs: routes after the addresses, rules after the routes. */
  private changeRoutes(action: 'add' | 'del'): void {
    const routes = this.env.routes;
    const { virtualRoutes, virtualRules } = this.spec;
    if (!routes || (virtualRoutes.length === 0 && virtualRules.length === 0)) return;
    const run = async (): Promise<void> => {
      if (action === 'add') {
        for (const r of virtualRoutes) await routes.addRoute(r);
        for (const r of virtualRules) await routes.addRule(r);
      } else {
        for (const r of virtualRules) await routes.removeRule(r);
        for (const r of virtualRoutes) await routes.removeRoute(r);
      }
    };
    const env = this.env;
    const done = run().catch((err: unknown) =>
      env.bus.publish({ kind: 'warning', at: env.clock.now(), node: env.node, instance: this.spec.name, message: `cannot ${action} virtual routes/rules: ${String(err)}` }),
    );
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  private observe(value: unknown, context: { effectivePriority: number; trackers: Parameters<typeof trackersFault>[0] }): void {
    if (this.recovering) return;
    const state = vrrpStateName(value);
    const selfFault = trackersFault(context.trackers);
    const env = this.env;
    if (state !== this.lastState) {
      const from = this.lastState;
      this.lastState = state;
      this.counters.transitions++;
      if (state === 'MASTER') this.counters.becomeMaster++;
      if (from === 'MASTER') this.counters.releaseMaster++;
      env.bus.publish({
        kind: 'transition',
        at: env.clock.now(),
        node: env.node,
        instance: this.spec.name,
        from,
        to: state,
        priority: context.effectivePriority,
      });
    } else if (selfFault === this.lastSelfFault) {
      return;
    }
    this.lastSelfFault = selfFault;
    env.onStatus?.({ state, selfFault });
  }
}
