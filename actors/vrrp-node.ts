/**
 * The VRRP side of one host: opens a channel per (interface, family, unicast peers), decodes each packet once and
 * routes it by VRID to its instances, follows link events for track_interface, and runs the sync groups.
 * The same code runs in the daemon and in the simulator; only the transports differ.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Subscription } from 'rxjs';
import type { Clock } from '../transport/clock.js';
import type { AddressManager, Announcer } from '../transport/address-manager.js';
import type { ReceivedPacket, VrrpChannel, VrrpLink } from '../transport/vrrp-link.js';
import { decodeAdvertisement } from '../protocol/vrrp-codec.js';
import type { DropReason } from '../protocol/vrrp-types.js';
import { syncGroupMachine } from '../machines/sync-group.js';
import type { Bus } from './bus.js';
import type { VrrpInstanceSpec, VrrpNodeSpec } from './vrrp-instance-spec.js';
import { VrrpInstanceRunner } from './vrrp-instance-runner.js';

export interface VrrpNodeTransports {
  readonly clock: Clock;
  readonly link: VrrpLink;
  readonly addresses: AddressManager;
  readonly announcer: Announcer;
}

interface OpenChannel {
  readonly channel: VrrpChannel;
  readonly byVrid: Map<number, VrrpInstanceRunner[]>;
}

/** Tracker id under which an instance follows its own interface (weight 0: FAULT while down). */
export function interfaceTrackerId(interfaceName: string): string {
  return `interface:${interfaceName}`;
}

export class VrrpNode {
  readonly runners = new Map<string, VrrpInstanceRunner>();
  /** Drops that happened before any instance could be named (decode failures, unknown VRID). */
  readonly nodeDrops: Partial<Record<DropReason, number>> = {};
  private readonly channels = new Map<string, OpenChannel>();
  private readonly groups: Actor<typeof syncGroupMachine>[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(
    readonly name: string,
    private readonly spec: VrrpNodeSpec,
    private readonly transports: VrrpNodeTransports,
    private readonly bus: Bus,
    private readonly inspect?: (event: InspectionEvent) => void,
  ) {}

  start(): void {
    const groupOf = new Map<string, Actor<typeof syncGroupMachine>>();
    for (const group of this.spec.syncGroups) {
      const actor = createActor(
        syncGroupMachine.provide({
          actions: {
            driveMembers: (_, params) => {
              for (const member of group.members) this.runners.get(member)?.sync(params.state);
            },
          },
        }),
        { input: group, clock: this.transports.clock, inspect: this.inspect, id: `group:${group.name}` },
      );
      this.groups.push(actor);
      for (const member of group.members) groupOf.set(member, actor);
    }
    for (const instance of this.spec.instances) {
      const open = this.channelFor(instance);
      const group = groupOf.get(instance.name);
      const runner = new VrrpInstanceRunner(this.withInterfaceState(instance), {
        node: this.name,
        clock: this.transports.clock,
        bus: this.bus,
        addresses: this.transports.addresses,
        announcer: this.transports.announcer,
        channel: open.channel,
        inspect: this.inspect,
        onStatus: group
          ? (status) => group.send({ type: 'MEMBER_STATE', member: instance.name, ...status })
          : undefined,
      });
      this.runners.set(instance.name, runner);
      const list = open.byVrid.get(instance.vrid) ?? [];
      list.push(runner);
      open.byVrid.set(instance.vrid, list);
    }
    this.subscriptions.push(
      this.transports.addresses.linkEvents$.subscribe((event) => {
        const id = interfaceTrackerId(event.interface);
        for (const runner of this.runners.values()) runner.track(id, event.up);
      }),
    );
    for (const group of this.groups) group.start();
    for (const runner of this.runners.values()) runner.start();
  }

  /** Graceful stop: every master sends priority 0 and releases its addresses. */
  stop(): void {
    for (const runner of this.runners.values()) runner.stop();
    this.close();
  }

  /** A crash: everything goes silent at once. */
  halt(): void {
    for (const runner of this.runners.values()) runner.halt();
    this.close();
  }

  private close(): void {
    for (const group of this.groups) group.stop();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const open of this.channels.values()) open.channel.close();
    this.channels.clear();
    this.groups.length = 0;
    this.subscriptions.length = 0;
  }

  /** The instance's own interface is tracked with weight 0, with its current link state. */
  private withInterfaceState(instance: VrrpInstanceSpec): VrrpInstanceSpec {
    const id = interfaceTrackerId(instance.interface);
    const up = this.transports.addresses.isUp(instance.interface);
    const others = instance.trackers.filter((t) => t.id !== id);
    const own = instance.trackers.find((t) => t.id === id);
    return { ...instance, trackers: [...others, { id, weight: own?.weight ?? 0, up }] };
  }

  private channelFor(instance: VrrpInstanceSpec): OpenChannel {
    const source =
      instance.unicastSourceAddress ?? this.transports.addresses.primaryAddress(instance.interface, instance.family) ?? '';
    const key = [instance.interface, instance.family, source, ...instance.unicastPeers].join('|');
    const existing = this.channels.get(key);
    if (existing) return existing;
    const channel = this.transports.link.open({
      interface: instance.interface,
      family: instance.family,
      sourceAddress: source,
      unicastPeers: instance.unicastPeers,
    });
    const open: OpenChannel = { channel, byVrid: new Map() };
    this.subscriptions.push(channel.packets$.subscribe((packet) => this.route(open, packet)));
    this.channels.set(key, open);
    return open;
  }

  private route(open: OpenChannel, packet: ReceivedPacket): void {
    const decoded = decodeAdvertisement(packet.bytes, {
      family: packet.family,
      source: packet.source,
      destination: packet.destination,
    });
    if (!decoded.ok) {
      this.countNodeDrop(decoded.reason);
      return;
    }
    const runners = open.byVrid.get(decoded.advertisement.vrid);
    if (!runners) {
      // RFC 5798 §7.1: the VRID is not configured on this interface.
      this.countNodeDrop('vrid');
      return;
    }
    for (const runner of runners) runner.receive(packet, decoded.advertisement);
  }

  private countNodeDrop(reason: DropReason): void {
    this.nodeDrops[reason] = (this.nodeDrops[reason] ?? 0) + 1;
    this.bus.publish({ kind: 'drop', at: this.transports.clock.now(), node: this.name, instance: undefined, reason });
  }
}
