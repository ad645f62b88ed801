/**
 * Sends one instance's advertisements on its channel: to its multicast group (224.0.0.18 / ff02::12 unless
 * mcast_dst_ip or vrrp_mcast_group4/6 say otherwise) or to each unicast_peer, from
 * unicast_src_ip or else the interface's primary (IPv4) or link-local (IPv6) address (RFC 5798 §5.1.1.1,
 * §5.1.2.1); counted, and published on the bus. A router sends the same bytes all day: the last encoding is kept.
 */
import type { Clock } from '../../machines/clock.js';
import type { AddressManager } from '../../transport/address-manager.js';
import { multicastGroupOf, type VrrpChannel } from '../../transport/vrrp-link.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import type { Bus } from '../bus.js';
import { advertisementOf, type VrrpInstanceSpec } from './instance-spec.js';
import type { InstanceCounters } from './instance-counters.js';
import type { AhSession } from './ah-session.js';

export interface AdvertSenderEnvironment {
  readonly node: string;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly addresses: AddressManager;
  /** Where the advertisements go (the node owns the channel; the instance only sends). */
  readonly channel: Pick<VrrpChannel, 'send'>;
  /**
   * `auth_type AH`: advertisements are sealed in an AH datagram with the instance's next sequence number (the
   * counter the node keeps across reloads).
   */
  readonly ah?: AhSession | undefined;
}

export class AdvertSender {
  private lastEncoded: { key: string; bytes: Uint8Array } | undefined;
  private readonly destinations: readonly string[];
  /**
   * VRRPv3 over IPv4 with keepalived's old unicast checksum: the group its pseudo-header names in place of the
   * destination (set by the runner: from the start with old_unicast_checksum, or once a peer is heard using it).
   */
  checksumGroup: string | undefined;

  constructor(
    private readonly spec: VrrpInstanceSpec,
    private readonly env: AdvertSenderEnvironment,
    private readonly counters: InstanceCounters,
  ) {
    this.destinations = spec.unicastPeers.length > 0 ? spec.unicastPeers : [multicastGroupOf({ family: spec.family, multicastGroup: spec.multicastGroup })];
  }

  /** The address advertisements leave from; undefined while the interface has none (nothing is sent then). */
  sourceAddress(): string | undefined {
    return this.spec.unicastSourceAddress ?? this.env.addresses.primaryAddress(this.spec.interface, this.spec.family);
  }

  /** `notYetMaster`: this instance was not MASTER before this advertisement (AH restarts a cycled counter then). */
  send(priority: number, notYetMaster = false): void {
    const source = this.sourceAddress();
    if (source === undefined) return;
    const env = this.env;
    const ah = env.ah;
    // AH: one sequence number per advertisement, the same for every unicast peer.
    ah?.advertise(notYetMaster && priority !== 0);
    for (const destination of this.destinations) {
      const message = this.encode(priority, source, destination);
      // From the address the message was built for: after an interface comes back, not the one the channel opened with.
      env.channel.send(destination, ah ? ah.seal(message, source, destination) : message, source);
    }
    this.counters.advertsSent++;
    if (priority === 0) this.counters.priorityZeroSent++;
    env.bus.publish({ kind: 'advert_sent', at: env.clock.now(), node: env.node, instance: this.spec.name, priority });
  }

  private encode(priority: number, source: string, destination: string): Uint8Array {
    const checksumDestination = this.checksumGroup;
    const key = `${priority}|${source}|${destination}|${checksumDestination ?? ''}`;
    if (this.lastEncoded?.key === key) return this.lastEncoded.bytes;
    const spec = this.spec;
    const bytes = encodeAdvertisement(advertisementOf(spec, priority), { source, destination, checksumDestination });
    // Unicast to several peers alternates destinations: only the single-destination case is worth keeping.
    if (this.destinations.length <= 1) this.lastEncoded = { key, bytes };
    return bytes;
  }
}
