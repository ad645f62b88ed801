/**
 * Runs one VRRP instance: the pure machine of machines/vrrp-instance.ts bound to transports. Received packets pass
 * the receive checks (RFC 5798 §7.1) before the machine hears them; the machine's named actions and timers become
 * advertisements (./advert-sender.ts), address and route changes (./address-effects.ts) and announcements
 * (./announcements.ts); a failed actor is rebuilt (./instance-supervisor.ts). Changes of state are published on the
 * bus and told to the sync group.
 *
 * Steady state: a backup hearing its master restarts Master_Down_Timer and does nothing else. That answer, once
 * given by the machine, is given again by the runner to the same advertisement (../steady-shortcut.ts).
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Announcer } from '../../transport/address-manager.js';
import type { ReceivedPacket } from '../../transport/vrrp-link.js';
import { VRRP_MULTICAST_V4, type DropReason, type VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { checkAdvertisement, type InstanceExpectations, type ReceivedMeta } from '../../protocol/receive-checks.js';
import { compareAddresses } from '../../protocol/ip.js';
import { vrrpInstanceMachine, vrrpStateName, type TrackerInput, type VrrpInstanceEvent, type VrrpStateName } from '../../machines/vrrp-instance.js';
import { trackersFault } from '../../machines/vrrp-priority.js';
import { vrrpTimers, type MasterDownHandle } from '../../machines/vrrp-timers.js';
import { absorbedHook, SteadyShortcut } from '../steady-shortcut.js';
import type { RouteManager } from '../../transport/routes.js';
import type { VipFirewall } from '../../transport/vip-firewall.js';
import type { VrrpInstanceSpec } from './instance-spec.js';
import { newCounters, type InstanceCounters } from './instance-counters.js';
import { AdvertSender, type AdvertSenderEnvironment } from './advert-sender.js';
import { ahReceiveContext, type AhSession } from './ah-session.js';
import { AddressEffects, type HeldEffects } from './address-effects.js';
import { Announcements } from './announcements.js';
import { InstanceSupervisor } from './instance-supervisor.js';

/** What an instance runs on: its advertisement sender's environment (node, clock, bus, addresses, channel, AH), and more. */
export interface InstanceEnvironment extends AdvertSenderEnvironment {
  readonly announcer: Announcer;
  /** virtual_routes / virtual_rules; absent where the host has none (the simulator). */
  readonly routes?: RouteManager | undefined;
  /** The VIP firewall (no_accept / vrrp_strict); absent where the host has none. */
  readonly firewall?: VipFirewall | undefined;
  /** XState inspection, for the observability stream. */
  readonly inspect?: (event: InspectionEvent) => void;
  /** Called on every change of state or own-fault status (sync groups listen here). */
  readonly onStatus?: (status: { state: VrrpStateName; selfFault: boolean }) => void;
  /** The steady-state shortcut (default on; tests turn it off). Observed, its answers are summed up in the stream. */
  readonly steadyShortcut?: boolean;
  /** The vrrp_sync_group the instance is a member of, if any (named in its transitions). */
  readonly syncGroup?: () => string | undefined;
  /** The instance learnt a shorter advertisement interval from its master (centiseconds). */
  readonly onShorterMasterInterval?: (intervalCs: number) => void;
  /** The clock time global_defs vrrp_startup_delay ends (keepalived vrrp_delayed_start_time); absent: none. */
  readonly startupUntil?: number | undefined;
  /** The IPv4 group of keepalived's old unicast checksum (global vrrp_mcast_group4; 224.0.0.18 when absent). */
  readonly checksumGroup4?: string | undefined;
  /** The statistics to go on counting in: its predecessor's, at a reload that keeps its state (keepalived restore_vrrp_state). */
  readonly counters?: InstanceCounters | undefined;
}

/** The instance a reload replaces, as the new one takes over from it (VrrpInstanceRunner.resume). */
export interface Predecessor {
  readonly state: VrrpStateName;
  readonly selfFault: boolean;
  /** What it holds on the host (its spec), when it was master. */
  readonly held?: HeldEffects | undefined;
}

type AdvertisementEvent = Extract<VrrpInstanceEvent, { type: 'ADVERTISEMENT' }>;

export class VrrpInstanceRunner {
  readonly counters: InstanceCounters;
  private actor: Actor<typeof vrrpInstanceMachine>;
  private readonly machine: typeof vrrpInstanceMachine;
  private readonly supervisor: InstanceSupervisor;
  private readonly sender: AdvertSender;
  private readonly addressEffects: AddressEffects;
  private readonly announcements: Announcements;
  private lastState: VrrpStateName = 'INIT';
  private lastSelfFault = false;
  /**
   * While the instance takes over from its predecessor at a reload (resume): the state it had, which is not news;
   * what the predecessor held on the host; whether taking over added an address.
   */
  private resuming: { readonly from: Predecessor; added: boolean } | undefined;
  /** The Master_Adver_Interval last seen in the machine's context (see onShorterMasterInterval). */
  private lastMasterIntervalCs = Infinity;
  /** What the receive checks compare against: fixed for the life of the instance (a reload makes a new one). */
  private readonly expectations: InstanceExpectations;
  /** The running Master_Down_Timer, while the machine waits as a BACKUP. */
  private masterDown: MasterDownHandle | undefined;
  /** A backup's answer to its master's advertisement: Master_Down_Timer restarted with this delay, nothing else. */
  private readonly steady: SteadyShortcut<AdvertisementEvent, number>;
  private readonly restartMasterDown = (delayMs: number): boolean => {
    if (this.masterDown === undefined) return false;
    this.masterDown.restart(delayMs);
    return true;
  };
  /**
   * The source of the last advertisement a BACKUP accepted with a priority above 0 (keepalived's master_saddr,
   * never cleared): what `skip_check_adv_addr` spares from the address checks.
   */
  private heardMaster: string | undefined;
  /** The last event built, with what it was built from (a steady master sends the same all day). */
  private lastEvent: { priority: number; intervalCs: number; source: string; ours: string | undefined; event: AdvertisementEvent } | undefined;

  constructor(
    readonly spec: VrrpInstanceSpec,
    private readonly env: InstanceEnvironment,
  ) {
    this.counters = env.counters ?? newCounters();
    this.expectations = {
      version: spec.version,
      family: spec.family,
      priority: spec.priority,
      intervalCs: spec.advertIntervalCs,
      addresses: spec.advertisedAddresses,
      authType: spec.authType,
      authPassword: spec.authPassword,
      unicastPeers: spec.unicastPeers,
      checkUnicastSource: spec.checkUnicastSource,
      unicastPeerTtls: spec.unicastPeerTtls,
    };
    this.supervisor = new InstanceSupervisor(spec.name, env);
    this.sender = new AdvertSender(spec, env, this.counters);
    if (spec.oldUnicastChecksum === 'always' && this.oldChecksumApplies) this.sender.checksumGroup = this.checksumGroup;
    this.addressEffects = new AddressEffects(spec, env);
    this.announcements = new Announcements(spec.virtualAddresses, env.announcer, spec.extraAnnouncements);
    // Observed, the shortcut stays on: the inspector hears of each advertisement it answers (absorbedHook).
    const absorbed = absorbedHook(env.inspect);
    this.steady = new SteadyShortcut({
      remember: () => env.steadyShortcut !== false,
      hit: absorbed && ((event) => absorbed(this.actor, event)),
    });
    const steady = this.steady;
    this.machine = vrrpInstanceMachine.provide({
      actions: {
        sendAdvertisement: ({ context }) => {
          steady.effect();
          this.sender.send(context.effectivePriority, this.lastState !== 'MASTER');
        },
        sendPriorityZero: () => {
          steady.effect();
          this.sender.send(0);
        },
        addVirtualAddresses: () => {
          steady.effect();
          const resuming = this.resuming;
          const added = this.addressEffects.add(resuming?.from.held);
          if (resuming) resuming.added = added;
        },
        removeVirtualAddresses: () => {
          steady.effect();
          this.addressEffects.remove();
        },
        announce: (_, params) => {
          steady.effect();
          // A master taking over its predecessor's addresses announces only when it added one (keepalived
          // clear_diff_vrrp: vrrp_send_link_update only when restore_vrrp_state added an address).
          if (this.resuming?.added === false) return;
          this.announcements.announce(params.count);
        },
        notify: ({ context }, params) => {
          steady.effect();
          if (this.supervisor.recovering || this.resumesInto(params.state)) return;
          env.bus.publish({
            kind: 'notify',
            at: env.clock.now(),
            node: env.node,
            instance: spec.name,
            state: params.state,
            priority: context.effectivePriority,
            ...(params.state === 'MASTER' ? { masterReason: context.masterReason } : {}),
          });
        },
      },
      actors: vrrpTimers(env.clock, {
        // A timer's work runs outside the machine's own error handling: a failure there fails the actor the same way.
        advertise: () => {
          try {
            this.sender.send(this.actor.getSnapshot().context.effectivePriority, this.lastState !== 'MASTER');
          } catch (error) {
            this.failedInTimer(error);
          }
        },
        announce: (count) => {
          try {
            this.announcements.announce(count);
          } catch (error) {
            this.failedInTimer(error);
          }
        },
        announceExtra: () => {
          try {
            this.announcements.announceExtra();
          } catch (error) {
            this.failedInTimer(error);
          }
        },
        ...(env.startupUntil !== undefined ? { notBefore: () => env.startupUntil! } : {}),
        masterDownStarted: (handle) => (this.masterDown = handle),
        // A timer stopping after its successor started (skewWait → waiting) must not forget the successor.
        masterDownStopped: (handle) => {
          if (this.masterDown === handle) this.masterDown = undefined;
        },
        masterDownRestarted: (delayMs) => steady.answered(delayMs),
      }),
    });
    this.actor = this.createInstanceActor(spec.trackers);
  }

  private createInstanceActor(trackers: readonly TrackerInput[], resume?: VrrpStateName): Actor<typeof vrrpInstanceMachine> {
    const startupDelayed = this.env.startupUntil !== undefined && this.env.startupUntil > this.env.clock.now();
    const actor = createActor(this.machine, {
      input: { params: this.spec, trackers, startupDelayed, resume },
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

  /** Whether entering `state` now is the predecessor's state going on, not news. */
  private resumesInto(state: VrrpStateName): boolean {
    return this.resuming !== undefined && this.resuming.from.state === state;
  }

  private failedInTimer(error: unknown): void {
    this.actor.stop();
    this.recover(error);
  }

  private recover(error: unknown): void {
    this.actor = this.supervisor.restart(this.actor, error, this.lastState === 'MASTER', (trackers) => this.createInstanceActor(trackers));
    const snapshot = this.actor.getSnapshot();
    this.observe(snapshot.value, snapshot.context);
  }

  /** Times the supervisor restarted this instance's actor after an error. */
  get restarts(): number {
    return this.supervisor.restarts;
  }

  /** Advertisements answered without the machine (the steady-state shortcut). */
  get shortcuts(): number {
    return this.steady.hits;
  }

  get state(): VrrpStateName {
    return vrrpStateName(this.actor.getSnapshot().value);
  }

  /** Its state and whether it has a fault of its own (what its sync group hears of it; INIT before it starts). */
  get status(): { state: VrrpStateName; selfFault: boolean } {
    const snapshot = this.actor.getSnapshot();
    return { state: vrrpStateName(snapshot.value), selfFault: trackersFault(snapshot.context.trackers) };
  }

  get effectivePriority(): number {
    return this.actor.getSnapshot().context.effectivePriority;
  }

  /** The configured priority, or what an SNMP set made it (vrrpInstanceBasePriority). */
  get basePriority(): number {
    return this.actor.getSnapshot().context.params.priority;
  }

  /** Preempt_Mode: false with nopreempt, or after an SNMP set of vrrpInstancePreempt to false. */
  get preempt(): boolean {
    return this.actor.getSnapshot().context.params.preempt;
  }

  /** keepalived vrrp_snmp_instance_priority: a new base priority, the effective one recomputed. */
  setBasePriority(priority: number): void {
    this.actor.send({ type: 'SET_PRIORITY', priority });
  }

  setPreempt(preempt: boolean): void {
    this.actor.send({ type: 'SET_PREEMPT', preempt });
  }

  get masterAddress(): string | undefined {
    return this.actor.getSnapshot().context.masterAddress;
  }

  start(): void {
    this.addressEffects.vmacFirewall('add');
    this.actor.start();
    this.actor.send({ type: 'START' });
  }

  /**
   * Starts in its predecessor's place at a reload, keeping its state as keepalived does (vrrp.c vrrp_complete_init,
   * restore_vrrp_state; vrrp_scheduler.c vrrp_init_state): a master goes on as master with its new settings
   * (adding the addresses it did not hold, announcing them), a backup restarts its Master_Down_Timer, and neither is
   * told again; a FAULT stays FAULT untold. What the new settings change is told: a fault they bring (FAULT), an
   * owner that was backup (MASTER). `groupFault`: its sync group holds it in FAULT. The predecessor was halted; the
   * caller has it hand over its addresses.
   */
  resume(from: Predecessor, groupFault: boolean): void {
    this.lastState = from.state;
    this.lastSelfFault = from.selfFault;
    this.resuming = { from, added: false };
    try {
      this.addressEffects.vmacFirewall('add');
      // Not started yet: the actor made with the runner is replaced by one that knows what it resumes.
      this.actor = this.createInstanceActor(this.spec.trackers, from.state);
      this.actor.start();
      if (groupFault) this.actor.send({ type: 'SYNC', state: 'FAULT' });
      this.actor.send({ type: 'START' });
    } finally {
      this.resuming = undefined;
    }
    const snapshot = this.actor.getSnapshot();
    this.observe(snapshot.value, snapshot.context);
  }

  /**
   * The last of an instance a reload replaced by resume (halted first): what it held that its successor does not
   * goes (`kept`: the successor's, when it is master), and its share of the firewall.
   */
  handOver(kept: HeldEffects | undefined, held: boolean): void {
    if (held) this.addressEffects.handOver(kept);
    this.addressEffects.vmacFirewall('del');
  }

  /** Graceful shutdown: a master sends priority 0 and releases its addresses (RFC 5798 §6.4.3). */
  stop(): void {
    this.actor.send({ type: 'STOP' });
    this.halt();
    this.addressEffects.vmacFirewall('del');
  }

  /** Stops without a word, as a crashed host would: no priority 0, addresses left where they are. */
  halt(): void {
    this.actor.stop();
  }

  /** Resolves when every address change requested so far has been carried out (or has failed and been logged). */
  settled(): Promise<void> {
    return this.addressEffects.settled();
  }

  track(id: string, up: boolean, value?: number): void {
    // An object the instance does not track changes nothing (applyTrack ignores it), and the node tells every
    // instance of every change (each VIP a master adds is an address event): the machine need not hear those.
    if (!Object.hasOwn(this.actor.getSnapshot().context.trackers, id)) return;
    this.actor.send(value === undefined ? { type: 'TRACK', id, up } : { type: 'TRACK', id, up, value });
  }

  /**
   * One round of gratuitous ARPs / unsolicited NAs now (DBus SendGarp, keepalived vrrp_send_link_update): only a
   * master holds its addresses, so only a master sends.
   */
  announceOnce(): void {
    if (this.state === 'MASTER') this.announcements.announce(1);
  }

  /** Another member of the sync group heard a lower priority (see VrrpNode). */
  groupLowerPriority(): void {
    this.actor.send({ type: 'GROUP_LOWER_PRIORITY' });
  }

  /** Its sync group's directive. Before start it waits in the actor's mailbox, and START comes after it. */
  sync(state: 'MASTER' | 'BACKUP' | 'FAULT' | 'CLEAR'): void {
    this.actor.send({ type: 'SYNC', state });
  }

  /** Whether keepalived's old unicast checksum can apply: VRRPv3 over IPv4 (v2 has no pseudo-header). */
  private get oldChecksumApplies(): boolean {
    return this.spec.version === 3 && this.spec.family === 4;
  }

  private get checksumGroup(): string {
    return this.env.checksumGroup4 ?? VRRP_MULTICAST_V4;
  }

  /**
   * keepalived's checksum compatibility (vrrp.c vrrp_check_packet, _WITH_UNICAST_CHKSUM_COMPAT_): an instance on
   * the old checksum takes only that; one on the standard checksum takes only that, except that by default a
   * unicast instance hearing the old one from a peer switches to it for good, sending it too.
   */
  private checksumTaken(oldChecksum: 'only' | 'also' | undefined): boolean {
    if (!this.oldChecksumApplies || oldChecksum === 'also') return true;
    const usingOld = this.sender.checksumGroup !== undefined;
    if (oldChecksum === undefined) return !usingOld;
    if (usingOld) return true;
    if (this.spec.oldUnicastChecksum !== 'auto' || this.spec.unicastPeers.length === 0) return false;
    this.sender.checksumGroup = this.checksumGroup;
    const env = this.env;
    env.bus.publish({ kind: 'warning', at: env.clock.now(), node: env.node, instance: this.spec.name, message: 'Setting unicast VRRPv3 checksum to old version' });
    return true;
  }

  /**
   * A decoded advertisement for our VRID: run the per-instance receive checks, then hand it to the machine.
   * `oldChecksum`: how its checksum held (protocol/vrrp-codec.ts DecodeResult).
   */
  receive(packet: ReceivedPacket, advertisement: VrrpAdvertisement, oldChecksum?: 'only' | 'also'): void {
    if (!this.checksumTaken(oldChecksum)) {
      this.countDrop('checksum');
      return;
    }
    const ah = this.env.ah;
    const backup = this.state === 'BACKUP';
    // keepalived checks the address list in BACKUP only when the source is not the master it last heard.
    const skipAddressCheck = backup && this.spec.skipCheckAdvAddr && this.heardMaster === packet.source;
    // One description, filled for each packet (the checks keep nothing of it): no object per packet of a flood.
    const meta = this.receivedMeta;
    meta.ttl = packet.ttl;
    meta.multicast = this.spec.unicastPeers.length === 0;
    meta.source = packet.source;
    meta.destination = packet.destination;
    meta.skipAddressCheck = skipAddressCheck;
    meta.datagram = packet.datagram;
    const verdict = checkAdvertisement(meta, advertisement, this.expectations, ah?.counter);
    if (ah && verdict.ahSequence !== undefined) {
      const seen = 'drop' in verdict ? 'other' : ahReceiveContext(this.state, advertisement.priority, this.effectivePriority, this.sourceIsHigher(packet.source));
      ah.heard(verdict.ahSequence, seen);
    }
    if ('drop' in verdict) {
      this.countDrop(verdict.drop);
      return;
    }
    this.counters.advertsReceived++;
    if (advertisement.priority === 0) this.counters.priorityZeroReceived++;
    else if (backup) this.heardMaster = packet.source;
    this.steady.deliver(this.actor, this.advertisementEvent(advertisement.priority, advertisement.intervalCs, packet.source), this.restartMasterDown);
  }

  private readonly receivedMeta: { -readonly [K in keyof ReceivedMeta]: ReceivedMeta[K] } = { ttl: 0, multicast: true, source: '', destination: '', skipAddressCheck: false, datagram: undefined };

  countDrop(reason: DropReason): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    // keepalived 2.2.7 counts a differing address list in addr_list_err, and an advertisement multicast to a unicast
    // instance or the reverse (vrrp.c vrrp_check_packet).
    if (reason === 'address_list' || reason === 'destination') this.counters.addressListErrors++;
    const env = this.env;
    env.bus.publish({ kind: 'drop', at: env.clock.now(), node: env.node, instance: this.spec.name, reason });
  }

  /**
   * The machine's event for an accepted advertisement, made from these values and our own address only (the
   * tie-break of RFC 5798 §6.4.3: is the source above us?). The same values give the same event object again.
   */
  private advertisementEvent(priority: number, intervalCs: number, source: string): AdvertisementEvent {
    const ours = this.sender.sourceAddress();
    const last = this.lastEvent;
    if (last !== undefined && last.priority === priority && last.intervalCs === intervalCs && last.source === source && last.ours === ours) return last.event;
    const sourceIsHigher = isAbove(source, ours);
    const event: AdvertisementEvent = { type: 'ADVERTISEMENT', priority, intervalCs, source, sourceIsHigher };
    this.lastEvent = { priority, intervalCs, source, ours, event };
    return event;
  }

  private sourceIsHigher(source: string): boolean {
    return isAbove(source, this.sender.sourceAddress());
  }

  private observe(value: unknown, context: { effectivePriority: number; masterAdverIntervalCs: number; trackers: Parameters<typeof trackersFault>[0] }): void {
    // While resuming, the steps are not news: resume() observes where they ended.
    if (this.supervisor.recovering || this.resuming !== undefined) return;
    if (context.masterAdverIntervalCs < this.lastMasterIntervalCs) this.env.onShorterMasterInterval?.(context.masterAdverIntervalCs);
    this.lastMasterIntervalCs = context.masterAdverIntervalCs;
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
        vrid: this.spec.vrid,
        interface: this.spec.interface,
        ...(env.syncGroup?.() !== undefined ? { group: env.syncGroup()! } : {}),
      });
    } else if (selfFault === this.lastSelfFault) {
      return;
    }
    this.lastSelfFault = selfFault;
    env.onStatus?.({ state, selfFault });
  }
}

/** RFC 5798 §6.4.3's tie-break: is the source's address above ours (or have we none)? */
function isAbove(source: string, ours: string | undefined): boolean {
  return ours === undefined || compareAddresses(source, ours) > 0;
}
