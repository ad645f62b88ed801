/**
 * The VRRP side of one host: opens a channel per (interface, family, source, unicast peers), decodes each packet
 * once and routes it by VRID to its instances, follows link events for track_interface, and runs the sync
 * groups. The same code runs in the daemon and in the simulator; only the transports differ.
 *
 * `reconfigure` applies a new configuration the way a keepalived reload does: instances whose settings did not
 * change keep running untouched (state and VIPs stay), removed ones stop gracefully, changed ones (matched by their
 * virtual router, not their name: a renamed one goes on under its new name) keep their state
 * with their new settings (a new runner resumes from the old one), unless they are another virtual router now
 * (VRID, family, interface, multicast group or unicast source, VMAC: keepalived vrrp_exist), which restart.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Subscription } from 'rxjs';
import type { Clock } from '../../machines/clock.js';
import type { AddressManager, Announcer } from '../../transport/address-manager.js';
import { multicastGroupOf, sendTtlOf, type ReceivedPacket, type VrrpChannel, type VrrpChannelOptions, type VrrpLink } from '../../transport/vrrp-link.js';
import { decodeAdvertisement, type DecodeContext } from '../../protocol/vrrp-codec.js';
import { VRRP_MULTICAST_V4, type DropReason } from '../../protocol/vrrp-types.js';
import { sumShares } from './receive-buffer.js';
import { syncGroupMachine, type MemberStatus } from '../../machines/sync-group.js';
import { OWNER_PRIORITY } from '../../machines/vrrp-priority.js';
import type { Bus } from '../bus.js';
import type { RouteManager } from '../../transport/routes.js';
import type { VipFirewall } from '../../transport/vip-firewall.js';
import type { SyncGroupSpec, VrrpInstanceSpec, VrrpNodeSpec } from './instance-spec.js';
import { VrrpInstanceRunner, type Predecessor } from './vrrp-instance-runner.js';
import type { InstanceCounters } from './instance-counters.js';
import { clearCounters } from './instance-counters.js';
import { AhSession } from './ah-session.js';
import { followRouteDeletions } from './tracked-routes.js';
import { LinkDebounce } from './link-debounce.js';
import { LinkPoller } from './link-poller.js';
import { SendErrorLog, type SendErrorCount } from './send-error-log.js';

export interface VrrpNodeTransports {
  readonly clock: Clock;
  readonly link: VrrpLink;
  readonly addresses: AddressManager;
  readonly announcer: Announcer;
  readonly routes?: RouteManager | undefined;
  readonly firewall?: VipFirewall | undefined;
  /** The instances' steady-state shortcut (default on; tests compare runs without it). */
  readonly steadyShortcut?: boolean | undefined;
}

interface OpenChannel {
  readonly key: string;
  /** The interface the channel is bound to (the VMAC's when advertisements leave through it). */
  readonly interface: string;
  readonly channel: VrrpChannel;
  readonly byVrid: Map<number, VrrpInstanceRunner[]>;
  /** Whether an instance on it ever gave its receive buffer a size (then removals size it again). */
  sizedReceiveBuffer?: boolean;
  readonly subscription: Subscription;
  users: number;
}

/** Tracker id under which an instance follows its own interface (weight 0: FAULT while down). */
/** keepalived `track_src_ip`: the instance's unicast_src_ip on its interface (FAULT while it is missing). */
export function addressTrackerId(interfaceName: string, address: string): string {
  return `address:${interfaceName}:${address}`;
}

export function interfaceTrackerId(interfaceName: string): string {
  return `interface:${interfaceName}`;
}

/**
 * Tracker id under which an instance follows its channel (weight 0): FAULT while the channel cannot send, that is
 * while its interface does not exist (keepalived: an instance whose sockets are closed is down, vrrp_if.c).
 */
export function channelTrackerId(interfaceName: string): string {
  return `channel:${interfaceName}`;
}

export class VrrpNode {
  readonly runners = new Map<string, VrrpInstanceRunner>();
  /** Drops that happened before any instance could be named (decode failures, unknown VRID). */
  readonly nodeDrops: Partial<Record<DropReason, number>> = {};
  /** Receive-buffer drops of the channels closed so far (kernelDrops adds the open ones'). */
  private closedKernelDrops = 0;
  private readonly channels = new Map<string, OpenChannel>();
  private readonly channelOf = new Map<string, OpenChannel>();
  private readonly specs = new Map<string, string>();
  private readonly groups = new Map<string, Actor<typeof syncGroupMachine>>();
  private readonly groupOfMember = new Map<string, Actor<typeof syncGroupMachine>>();
  /** AH sequence counters by instance name: a reloaded instance goes on from its predecessor's. */
  private readonly ahSessions = new Map<string, AhSession>();
  private linkSubscription: Subscription | undefined;
  private addressSubscription: Subscription | undefined;
  private routeSubscription: Subscription | undefined;
  private groupSpecs: readonly SyncGroupSpec[] = [];
  /** When global_defs vrrp_startup_delay ends (set at start; a reload does not start it again, as keepalived). */
  private startupUntil: number | undefined;
  /** Link changes as the instances hear them: after interface_up_down_delays (set at start). */
  private links: LinkDebounce | undefined;
  /** linkbeat: interfaces whose link state is read every second rather than from notifications. */
  private poller: LinkPoller | undefined;
  private readonly sendErrors: SendErrorLog;
  /**
   * The last status of each tracked script, file and process (`script:`, `file:`, `process:`), told before or
   * after the instances started: an instance that starts (at start, or added by a reload) begins from it, as
   * keepalived's initialise_tracking_priorities does, rather than from an assumed status until the next change.
   */
  private readonly trackedStatus = new Map<string, { up: boolean; value?: number | undefined }>();

  constructor(
    readonly name: string,
    private spec: VrrpNodeSpec,
    private readonly transports: VrrpNodeTransports,
    private readonly bus: Bus,
    private readonly inspect?: (event: InspectionEvent) => void,
  ) {
    this.sendErrors = new SendErrorLog(transports.clock, (message) => this.warn(message));
  }

  start(): void {
    const delay = this.spec.startupDelayMs ?? 0;
    if (delay > 0) this.startupUntil = this.transports.clock.now() + delay;
    const addresses = this.transports.addresses;
    // The types as the running configuration gives them (a reload may change them).
    const poll = (name: string): boolean => addresses.pollCarrier?.(name, this.spec.linkbeatTypes?.[name]) ?? addresses.isUp(name);
    const polled = new Set(this.spec.polledInterfaces ?? []);
    // A polled interface's first state is read as its polls will read it (keepalived init_linkbeat_status).
    const links = new LinkDebounce(this.transports.clock, (name) => (polled.has(name) ? poll(name) : addresses.isUp(name)), (name, up) =>
      this.track(interfaceTrackerId(name), up),
    );
    links.setDelays(this.spec.interfaceDelays ?? []);
    this.links = links;
    const poller = new LinkPoller(this.transports.clock, poll, (name, up) => links.force(name, up));
    poller.setInterfaces([...polled]);
    this.poller = poller;
    this.linkSubscription = addresses.linkEvents$.subscribe((event) => {
      // The interface may have been deleted or created again (a new index): its channels bind anew first, whatever
      // its delays or polling (a channel's own tracker puts its instances in FAULT while it cannot send).
      for (const open of [...this.channels.values()]) if (open.interface === event.interface) open.channel.refresh();
      if (!poller.has(event.interface)) links.event(event.interface, event.up);
    });
    this.addressSubscription = addresses.addressEvents$?.subscribe((event) =>
      this.track(addressTrackerId(event.address.interface, event.address.address), event.kind === 'added'),
    );
    this.routeSubscription = followRouteDeletions(this.transports.routes, {
      node: this.name,
      now: () => this.transports.clock.now(),
      bus: this.bus,
      runners: () => this.runners.values(),
    });
    // Every instance is made before any starts, and the groups from them: a group whose member has a fault of its
    // own starts in FAULT and holds the others there from their first state on (keepalived vrrp_complete_init).
    const made = this.spec.instances.map((instance) => this.addInstance(instance));
    this.startGroups(this.spec.syncGroups);
    for (const runner of made) this.startInstance(runner);
    // Once the instances have started.
    this.announceGroups(this.spec.syncGroups);
  }

  /**
   * Applies a new configuration without disturbing instances whose settings did not change; a changed one that is
   * still the same virtual router is replaced by a runner that resumes its state (`kept`). The channels the new
   * instances need are opened before anything is stopped: if one cannot be opened this throws and the running
   * configuration is untouched (and a channel an old and a new instance share stays open across). `beforeStart`
   * runs once the old instances are gone and before the new ones start (the notifier takes the new scripts there),
   * given the instances that go on under another name (old name to new).
   */
  reconfigure(next: VrrpNodeSpec, beforeStart?: (renamed: ReadonlyMap<string, string>) => void): { kept: string[]; started: string[]; stopped: string[] } {
    const kept: string[] = [];
    const started: string[] = [];
    const stopped: string[] = [];
    const wanted = new Map(next.instances.map((i) => [i.name, i]));
    const { changed, starting, successors } = this.plan(next);
    const renamed = [...successors].some(([from, to]) => from !== to.name);
    const opened = new Map<string, OpenChannel>();
    try {
      for (const instance of starting) opened.set(instance.name, this.acquireChannel(instance));
    } catch (error) {
      for (const open of opened.values()) this.releaseChannel(open);
      throw error;
    }
    // An instance that is the same virtual router still is halted without a word: its successor takes over.
    const predecessors = new Map<string, { runner: VrrpInstanceRunner; from: Predecessor; groupFault: boolean }>();
    for (const name of changed) {
      const runner = this.runners.get(name)!;
      const successor = successors.get(name);
      if (successor !== undefined) {
        const status = runner.status;
        // The group it was in holds it as before (a renamed member is looked up by its old name).
        const groupFault = this.groupOfMember.get(name)?.getSnapshot().value === 'FAULT';
        predecessors.set(successor.name, { runner, from: { ...status, ...(status.state === 'MASTER' ? { held: runner.spec } : {}) }, groupFault });
        this.removeInstance(name, false);
        continue;
      }
      this.removeInstance(name, true);
      stopped.push(name);
    }
    if (renamed) this.moveAhSessions(successors);
    // Everything the reload announces from here on is told with the new scripts.
    beforeStart?.(new Map([...successors].filter(([from, to]) => from !== to.name).map(([from, to]) => [from, to.name])));
    const made: VrrpInstanceRunner[] = [];
    for (const instance of next.instances) {
      const open = opened.get(instance.name);
      if (open === undefined) {
        kept.push(instance.name);
        // keepalived takes an instance's priority and preemption from the file again at a reload, undoing SNMP sets.
        if (this.runners.get(instance.name)?.basePriority !== instance.priority) this.setBasePriority(instance.name, instance.priority);
        if (this.runners.get(instance.name)?.preempt !== instance.preempt) this.setPreempt(instance.name, instance.preempt);
        continue;
      }
      const predecessor = predecessors.get(instance.name);
      const runner = this.addInstance(instance, open, predecessor?.runner.counters);
      if (predecessor === undefined) {
        made.push(runner);
        started.push(instance.name);
        continue;
      }
      // Before the groups are made again: they start from the state it keeps.
      kept.push(instance.name);
      runner.resume(predecessor.from, predecessor.groupFault);
      predecessor.runner.handOver(runner.state === 'MASTER' ? runner.spec : undefined, predecessor.from.held !== undefined);
    }
    // A rename remakes the groups even when their member lists read the same (two instances swapped names).
    if (renamed || JSON.stringify(next.syncGroups) !== JSON.stringify(this.groupSpecs)) {
      // The groups are made again from their members as they run now (the new ones not started yet), faults of
      // their own included: a fault an old group imposed is not one (keepalived vrrp_complete_init at reload).
      const before = this.groupStates();
      this.stopGroups();
      this.startGroups(next.syncGroups);
      this.freeUngrouped();
      // keepalived set_previous_sync_group_states: a group in the state it had before the reload is not told again.
      this.announceGroups(next.syncGroups.filter((g) => before.get(g.name) !== this.groups.get(g.name)?.getSnapshot().value));
    }
    for (const runner of made) this.startInstance(runner);
    for (const name of this.ahSessions.keys()) if (!wanted.has(name)) this.ahSessions.delete(name);
    this.links?.setDelays(next.interfaceDelays ?? []);
    this.poller?.setInterfaces(next.polledInterfaces ?? []);
    this.spec = next;
    return { kept, started, stopped };
  }

  /**
   * The running instances a reload to `next` does not carry on (by their virtual router, not their name: keepalived
   * vrrp_exist), which it stops: what keepalived reports as deleted.
   */
  ending(next: VrrpNodeSpec): string[] {
    const { changed, successors } = this.plan(next);
    return changed.filter((name) => !successors.has(name));
  }

  /**
   * What a reload to `next` changes: the running instances whose settings differ (or that it drops), the instances
   * it starts a runner for, and the one each changed instance goes on as, matched by its virtual router and not its
   * name (keepalived vrrp_exist): a renamed instance keeps its state under its new name.
   */
  private plan(next: VrrpNodeSpec): { changed: string[]; starting: VrrpInstanceSpec[]; successors: Map<string, VrrpInstanceSpec> } {
    const wanted = new Map(next.instances.map((i) => [i.name, i]));
    const changed = [...this.runners.keys()].filter((name) => {
      const nextSpec = wanted.get(name);
      return !(nextSpec && JSON.stringify(nextSpec) === this.specs.get(name));
    });
    const starting = next.instances.filter((i) => !this.runners.has(i.name) || changed.includes(i.name));
    const successors = matchVirtualRouters(
      changed.map((name) => this.runners.get(name)!.spec),
      starting,
    );
    return { changed, starting, successors };
  }

  /** A tracked object changed (script:NAME, file:NAME, process:NAME, interface:NAME): every instance hears it. */
  track(id: string, up: boolean, value?: number): void {
    if (/^(script|file|process):/.test(id)) this.trackedStatus.set(id, { up, value });
    for (const runner of this.runners.values()) {
      const before = runner.effectivePriority;
      runner.track(id, up, value);
      const after = runner.effectivePriority;
      // keepalived logs "Changing effective priority" and, with notify_priority_changes, tells the FIFOs.
      if (after !== before) {
        this.bus.publish({ kind: 'priority', at: this.transports.clock.now(), node: this.name, instance: runner.spec.name, state: runner.state, from: before, priority: after });
      }
    }
  }

  /**
   * An SNMP set of an instance's base priority (keepalived vrrp_snmp_instance_priority): the effective priority
   * follows, told on the bus as a tracked object's change is. False when there is no such instance.
   */
  setBasePriority(instance: string, priority: number): boolean {
    const runner = this.runners.get(instance);
    if (runner === undefined) return false;
    const before = runner.effectivePriority;
    runner.setBasePriority(priority);
    const after = runner.effectivePriority;
    if (after !== before) this.bus.publish({ kind: 'priority', at: this.transports.clock.now(), node: this.name, instance, state: runner.state, from: before, priority: after });
    return true;
  }

  /** An SNMP set of an instance's preemption (keepalived vrrp_snmp_instance_preempt). */
  setPreempt(instance: string, preempt: boolean): boolean {
    const runner = this.runners.get(instance);
    runner?.setPreempt(preempt);
    return runner !== undefined;
  }

  /** PrintStatsClear: every instance's statistics zeroed, once the caller has taken the status it prints. */
  clearStats(): void {
    for (const runner of this.runners.values()) clearCounters(runner.counters);
  }

  /** The sync groups' states now, by name. */
  groupStates(): Map<string, string> {
    return new Map([...this.groups].map(([name, actor]) => [name, String(actor.getSnapshot().value)]));
  }

  /** Graceful stop: every master sends priority 0 and releases its addresses. */
  stop(): void {
    for (const name of [...this.runners.keys()]) this.removeInstance(name, true);
    // keepalived's notify_shutdown: the instances' STOP, then each sync group's (its notify_stop, `notify … STOP`).
    for (const [group, state] of this.groupStates()) {
      this.bus.publish({ kind: 'sync', at: this.transports.clock.now(), node: this.name, group, from: state, to: 'STOP' });
    }
    this.close();
  }

  /** A crash: everything goes silent at once. */
  halt(): void {
    for (const name of [...this.runners.keys()]) this.removeInstance(name, false);
    this.close();
  }

  /** Resolves when every address change requested so far has been carried out. */
  async settled(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.settled()));
    await Promise.all([...this.retired].map((r) => r.settled()));
    this.retired.clear();
  }

  private readonly retired = new Set<VrrpInstanceRunner>();

  private close(): void {
    this.stopGroups();
    this.linkSubscription?.unsubscribe();
    this.linkSubscription = undefined;
    this.links?.close();
    this.poller?.close();
    this.addressSubscription?.unsubscribe();
    this.addressSubscription = undefined;
    this.routeSubscription?.unsubscribe();
    this.routeSubscription = undefined;
    for (const open of this.channels.values()) {
      open.subscription.unsubscribe();
      this.closedKernelDrops += open.channel.kernelDrops ?? 0;
      open.channel.close();
    }
    this.channels.clear();
  }

  /**
   * Starts the sync groups, each from its members' states now (machines/sync-group.ts); each change of a
   * group's state from then on is told (announceGroups tells the first).
   */
  private startGroups(specs: readonly SyncGroupSpec[]): void {
    this.groupSpecs = specs;
    for (const group of specs) {
      const initial: Record<string, MemberStatus> = {};
      const owners: string[] = [];
      for (const member of group.members) {
        const runner = this.runners.get(member);
        if (runner !== undefined) initial[member] = runner.status;
        if (runner !== undefined && runner.basePriority === OWNER_PRIORITY) owners.push(member);
      }
      const actor = createActor(
        syncGroupMachine.provide({
          actions: {
            driveMembers: (_, params) => {
              for (const member of group.members) this.runners.get(member)?.sync(params.state);
            },
          },
        }),
        { input: { ...group, initial, owners }, clock: this.transports.clock, inspect: this.inspect, id: `group:${group.name}` },
      );
      this.groups.set(group.name, actor);
      for (const member of group.members) this.groupOfMember.set(member, actor);
      let last = String(actor.getSnapshot().value);
      actor.subscribe((snapshot) => {
        const now = String(snapshot.value);
        if (now === last) return;
        this.bus.publish({ kind: 'sync', at: this.transports.clock.now(), node: this.name, group: group.name, from: last, to: now });
        last = now;
      });
      actor.start();
    }
  }

  /**
   * A sync group's first announcement, the one mechanism for it: at start once the instances have started
   * (keepalived vrrp_dispatcher_init), at a reload that makes the groups again for those not in the state they
   * had before it, new ones included (state_same_at_reload), before the new instances start. A group in
   * BACKUP or FAULT is told as entering it from INIT (notify_backup / notify_fault, `notify`, the FIFO, traps,
   * smtp_alert); one already MASTER was told on its way there.
   */
  private announceGroups(groups: readonly SyncGroupSpec[]): void {
    for (const group of groups) {
      const state = this.groups.get(group.name)?.getSnapshot().value;
      if (state === 'BACKUP' || state === 'FAULT') this.bus.publish({ kind: 'sync', at: this.transports.clock.now(), node: this.name, group: group.name, from: 'INIT', to: state });
    }
  }

  /** An instance in no group now is not held in FAULT by the group it was in before (a reload took it out). */
  private freeUngrouped(): void {
    for (const [name, runner] of this.runners) {
      if (this.groupOfMember.has(name)) continue;
      const { state, selfFault } = runner.status;
      if (state === 'FAULT' && !selfFault) runner.sync('CLEAR');
    }
  }

  private stopGroups(): void {
    for (const actor of this.groups.values()) actor.stop();
    this.groups.clear();
    this.groupOfMember.clear();
  }

  /** Makes an instance's runner and routes its VRID to it; it starts with startInstance. */
  private addInstance(instance: VrrpInstanceSpec, open = this.acquireChannel(instance), counters?: InstanceCounters): VrrpInstanceRunner {
    const runner = new VrrpInstanceRunner(this.withInterfaceState(instance, open), {
      node: this.name,
      clock: this.transports.clock,
      bus: this.bus,
      addresses: this.transports.addresses,
      announcer: this.transports.announcer,
      routes: this.transports.routes,
      firewall: this.transports.firewall,
      channel: open.channel,
      ah: this.ahSession(instance),
      inspect: this.inspect,
      steadyShortcut: this.transports.steadyShortcut,
      startupUntil: this.startupUntil,
      checksumGroup4: this.spec.checksumGroup4,
      counters,
      onShorterMasterInterval: (intervalCs) => this.links?.cap(instance.interface, instance.downTimerAdverts, intervalCs * 10),
      onStatus: (status) => this.groupOfMember.get(instance.name)?.send({ type: 'MEMBER_STATE', member: instance.name, ...status }),
      // Named in its transitions (the page groups lanes by it).
      syncGroup: () => this.groupSpecs.find((g) => g.members.includes(instance.name))?.name,
    });
    this.runners.set(instance.name, runner);
    this.specs.set(instance.name, JSON.stringify(instance));
    this.channelOf.set(instance.name, open);
    const list = open.byVrid.get(instance.vrid) ?? [];
    list.push(runner);
    open.byVrid.set(instance.vrid, list);
    this.sizeReceiveBuffer(open);
    return runner;
  }

  /** An instance whose group is in FAULT starts held there (keepalived: a member of a group in FAULT is in FAULT). */
  private startInstance(runner: VrrpInstanceRunner): void {
    if (this.groupOfMember.get(runner.spec.name)?.getSnapshot().value === 'FAULT') runner.sync('FAULT');
    runner.start();
  }

  /** The channel's receive buffer from the shares of the instances on it (./receive-buffer.ts), when any has one. */
  private sizeReceiveBuffer(open: OpenChannel): void {
    const shares = [...open.byVrid.values()].flat().map((r) => r.spec.receiveBuffer);
    if (shares.every((s) => s === undefined) && open.sizedReceiveBuffer !== true) return;
    const { bytes, mtuMultiple } = sumShares(shares);
    open.sizedReceiveBuffer = true;
    try {
      open.channel.setReceiveBuffer?.(bytes, mtuMultiple);
    } catch (error) {
      this.warn(`${open.interface}: cannot size the VRRP socket's receive buffer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private ahSession(instance: VrrpInstanceSpec): AhSession | undefined {
    if (instance.authType !== 2) {
      this.ahSessions.delete(instance.name);
      return undefined;
    }
    const session = new AhSession(instance.authPassword, instance.unicastPeers.length > 0, this.ahSessions.get(instance.name)?.counter, sendTtlOf(instance) ?? 255);
    this.ahSessions.set(instance.name, session);
    return session;
  }

  /** A renamed instance's IPsec AH sequence numbers go on under its new name (keepalived restore_vrrp_state). */
  private moveAhSessions(successors: ReadonlyMap<string, VrrpInstanceSpec>): void {
    const moving = [...successors].map(([from, to]) => [to.name, this.ahSessions.get(from)] as const);
    for (const from of successors.keys()) this.ahSessions.delete(from);
    for (const [to, session] of moving) if (session !== undefined) this.ahSessions.set(to, session);
  }

  private removeInstance(name: string, graceful: boolean): void {
    const runner = this.runners.get(name);
    if (!runner) return;
    if (graceful) runner.stop();
    else runner.halt();
    this.retired.add(runner);
    this.runners.delete(name);
    this.specs.delete(name);
    const open = this.channelOf.get(name);
    this.channelOf.delete(name);
    if (!open) return;
    const list = (open.byVrid.get(runner.spec.vrid) ?? []).filter((r) => r !== runner);
    if (list.length > 0) open.byVrid.set(runner.spec.vrid, list);
    else open.byVrid.delete(runner.spec.vrid);
    if (open.byVrid.size > 0) this.sizeReceiveBuffer(open);
    this.releaseChannel(open);
  }

  private releaseChannel(open: OpenChannel): void {
    open.users--;
    if (open.users === 0) {
      open.subscription.unsubscribe();
      this.closedKernelDrops += open.channel.kernelDrops ?? 0;
      open.channel.close();
      this.channels.delete(open.key);
    }
  }

  /**
   * The instance's own interface is tracked with weight 0 (keepalived ignores a track_interface naming it, and a
   * sync group's leaves it unweighted), and every tracked interface starts with the link state the instances have
   * been told; so is its channel (whether it is bound to an interface that exists). With dont_track_primary the own
   * interface is not tracked at all (keepalived adds it as VRRP_NOT_TRACK_IF); the channel still is.
   */
  private withInterfaceState(instance: VrrpInstanceSpec, open: OpenChannel): VrrpInstanceSpec {
    const id = interfaceTrackerId(instance.interface);
    // The state the instances have been told: a change still within its interface_up_down_delays is not yet.
    const isUp = (name: string): boolean => this.links?.state(name) ?? this.transports.addresses.isUp(name);
    const trackers = instance.trackers
      .filter((t) => t.id !== id)
      .map((t) => (t.id.startsWith('interface:') ? { ...t, up: isUp(t.id.slice('interface:'.length)) } : t))
      .map((t) => (t.id.startsWith('address:') ? { ...t, up: this.holds(t.id) } : t))
      .map((t) => {
        const known = this.trackedStatus.get(t.id);
        return known ? { ...t, up: known.up, ...(known.value !== undefined ? { value: known.value } : {}) } : t;
      });
    const channel = { id: channelTrackerId(open.interface), weight: 0, up: open.channel.usable };
    if (instance.dontTrackPrimary === true) return { ...instance, trackers: [...trackers, channel] };
    return { ...instance, trackers: [...trackers, { id, weight: 0, up: isUp(instance.interface) }, channel] };
  }

  /** Whether the address of a track_src_ip tracker is on its interface now (unknown to the transport: yes). */
  private holds(trackerId: string): boolean {
    const [, interfaceName = '', ...rest] = trackerId.split(':');
    return this.transports.addresses.hasAddress?.(interfaceName, rest.join(':')) ?? true;
  }

  private acquireChannel(instance: VrrpInstanceSpec): OpenChannel {
    const source =
      instance.unicastSourceAddress ?? this.transports.addresses.primaryAddress(instance.interface, instance.family) ?? '';
    // use_vmac: advertisements leave through the VMAC (source MAC = virtual router MAC) unless vmac_xmit_base.
    const sendInterface = instance.vmac && !instance.vmac.xmitBase ? instance.vmac.name : instance.interface;
    const options = channelOptions(instance, sendInterface, source);
    // AH instances have a protocol-51 channel of their own (keepalived's socket pool is keyed by protocol too), and
    // multicast ones one per group (mcast_dst_ip).
    const key = [sendInterface, instance.family, source, options.ipsecAh ? 'ah' : 'vrrp', options.multicastGroup ?? '', options.unicastTtl ?? '', ...instance.unicastPeers].join('|');
    const existing = this.channels.get(key);
    if (existing) {
      existing.users++;
      return existing;
    }
    const channel = this.transports.link.open(options);
    const byVrid = new Map<number, VrrpInstanceRunner[]>();
    const subscription = channel.packets$.subscribe((packet) => this.route(byVrid, packet));
    const open: OpenChannel = { key, interface: sendInterface, channel, byVrid, users: 1, subscription };
    const trackerId = channelTrackerId(sendInterface);
    subscription.add(
      channel.usable$.subscribe((usable) => {
        this.warn(usable ? `${sendInterface}: VRRP channel bound again` : `${sendInterface}: VRRP channel lost its interface, its instances go to FAULT`);
        for (const runners of byVrid.values()) for (const runner of runners) runner.track(trackerId, usable);
      }),
    );
    subscription.add(channel.sendErrors$.subscribe((e) => this.sendErrors.failed(sendInterface, instance.family, e)));
    this.channels.set(key, open);
    return open;
  }

  /**
   * VRRP packets the host dropped before this node could read them, its receive buffers being full (a flood
   * faster than the node reads), since the node started: they never reached a drop reason of their own.
   */
  kernelDrops(): number {
    let n = this.closedKernelDrops;
    for (const open of this.channels.values()) n += open.channel.kernelDrops ?? 0;
    return n;
  }

  /** Send failures by interface, family and errno name, since the node started. */
  sendErrorCounts(): readonly SendErrorCount[] {
    return this.sendErrors.counts();
  }

  private warn(message: string): void {
    this.bus.publish({ kind: 'warning', at: this.transports.clock.now(), node: this.name, instance: undefined, message });
  }

  private readonly decodeContext: { -readonly [K in keyof DecodeContext]: DecodeContext[K] } = { family: 4, source: '', destination: '', oldChecksumGroup: undefined };

  private route(byVrid: Map<number, VrrpInstanceRunner[]>, packet: ReceivedPacket): void {
    // One context, filled for each packet (the decoder keeps nothing of it): no object per packet of a flood.
    const ctx = this.decodeContext;
    ctx.family = packet.family;
    ctx.source = packet.source;
    ctx.destination = packet.destination;
    ctx.oldChecksumGroup = packet.family === 4 ? (this.spec.checksumGroup4 ?? VRRP_MULTICAST_V4) : undefined;
    const decoded = decodeAdvertisement(packet.bytes, ctx);
    if (!decoded.ok) {
      this.countNodeDrop(decoded.reason);
      return;
    }
    const runners = byVrid.get(decoded.advertisement.vrid);
    if (!runners) {
      // RFC 5798 §7.1: the VRID is not configured on this interface.
      this.countNodeDrop('vrid', this.spec.logUnknownVrids ? { vrid: decoded.advertisement.vrid, interface: packet.interface } : undefined);
      return;
    }
    for (const runner of runners) {
      if (runner.state !== 'MASTER') {
        runner.receive(packet, decoded.advertisement, decoded.oldChecksum);
        continue;
      }
      const heard = runner.counters.advertsReceived;
      const ours = runner.effectivePriority;
      runner.receive(packet, decoded.advertisement, decoded.oldChecksum);
      // A master that accepted an advertisement other than priority 0 and is master still has heard a lower
      // priority (RFC 5798 §6.4.3: else it would have stepped down): keepalived's MASTER_RX_LOWER_PRI event.
      const theirs = decoded.advertisement.priority;
      if (theirs !== 0 && runner.counters.advertsReceived > heard && runner.state === 'MASTER') {
        this.bus.publish({ kind: 'master_rx_lower_pri', at: this.transports.clock.now(), node: this.name, instance: runner.spec.name, priority: ours, source: packet.source, theirs });
        this.groupLowerPriority(runner.spec.name);
      }
    }
  }

  /**
   * keepalived vrrp_state_master_rx: a master hearing a lower priority makes the other members of its sync group
   * send their garp_lower_prio_repeat announcements too (each as its own settings say; masters only, as only
   * they hold their addresses).
   */
  private groupLowerPriority(member: string): void {
    const group = this.groupSpecs.find((g) => g.members.includes(member));
    if (group === undefined) return;
    for (const other of group.members) {
      if (other === member) continue;
      this.runners.get(other)?.groupLowerPriority();
    }
  }

  private countNodeDrop(reason: DropReason, unknownVrid?: { vrid: number; interface: string }): void {
    this.nodeDrops[reason] = (this.nodeDrops[reason] ?? 0) + 1;
    const at = this.transports.clock.now();
    this.bus.publish(unknownVrid ? { kind: 'drop', at, node: this.name, instance: undefined, reason, unknownVrid } : { kind: 'drop', at, node: this.name, instance: undefined, reason });
  }
}

/**
 * Which of `candidates` each of `old` goes on as across a reload, by old name: the first candidate with its VRID,
 * family and interface, unicast or not, when it is the same virtual router (keepalived vrrp_exist: a unicast one
 * looks on past another unicast source; a multicast one is decided by the first). Each candidate goes on from one.
 */
function matchVirtualRouters(old: readonly VrrpInstanceSpec[], candidates: readonly VrrpInstanceSpec[]): Map<string, VrrpInstanceSpec> {
  const matched = new Map<string, VrrpInstanceSpec>();
  const taken = new Set<string>();
  for (const spec of old) {
    const unicast = spec.unicastPeers.length > 0;
    for (const candidate of candidates) {
      if (taken.has(candidate.name)) continue;
      if (candidate.vrid !== spec.vrid || candidate.family !== spec.family || candidate.interface !== spec.interface) continue;
      if (unicast !== candidate.unicastPeers.length > 0) continue;
      if (unicast && candidate.unicastSourceAddress !== spec.unicastSourceAddress) continue;
      if (sameVirtualRouter(spec, candidate)) {
        matched.set(spec.name, candidate);
        taken.add(candidate.name);
      }
      break;
    }
  }
  return matched;
}

/**
 * Whether two specs are the same virtual router, as keepalived's vrrp_exist matches an instance across a reload:
 * VRID, family and interface, unicast or not, and then the unicast source or the VMAC and multicast group.
 */
function sameVirtualRouter(a: VrrpInstanceSpec, b: VrrpInstanceSpec): boolean {
  if (a.vrid !== b.vrid || a.family !== b.family || a.interface !== b.interface) return false;
  const unicast = a.unicastPeers.length > 0;
  if (unicast !== b.unicastPeers.length > 0) return false;
  if (unicast) return a.unicastSourceAddress === b.unicastSourceAddress;
  return a.vmac?.name === b.vmac?.name && a.vmac?.kind === b.vmac?.kind && a.multicastGroup === b.multicastGroup;
}

/** The channel an instance needs: multicast to its group, or unicast to its peers with its unicast_ttl. */
function channelOptions(instance: VrrpInstanceSpec, sendInterface: string, source: string): VrrpChannelOptions {
  const ipsecAh = instance.authType === 2;
  const unicast = instance.unicastPeers.length > 0;
  return {
    interface: sendInterface,
    family: instance.family,
    sourceAddress: source,
    unicastPeers: instance.unicastPeers,
    ...(!unicast ? { multicastGroup: multicastGroupOf({ family: instance.family, multicastGroup: instance.multicastGroup }) } : {}),
    ...(unicast && instance.unicastTtl !== undefined ? { unicastTtl: instance.unicastTtl } : {}),
    ...(ipsecAh ? { ipsecAh } : {}),
  };
}
