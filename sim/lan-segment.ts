/**
 * A simulated LAN segment carrying encoded VRRP packets between hosts' ports: multicast to every other port of
 * the same family that is up and on the sender's side of a partition, unicast to the port holding the
 * destination address. Latency, jitter, loss, duplication and reordering are drawn from the segment's own seeded
 * stream in a fixed order, so a seed replays every delivery exactly.
 *
 * It also carries link-layer frames (whole Ethernet frames: the announcer's gratuitous ARP and unsolicited NA) to
 * the other ports that listen for them, after the base latency. They draw nothing from the seeded stream and are
 * not counted with the VRRP packets, and nothing is scheduled when nobody listens: a scenario replays the same.
 */
import type { Clock } from '../machines/clock.js';
import type { Random } from '../transport/random.js';
import { isMulticastIp, type IpFamily } from '../protocol/ip.js';

export interface LinkQuality {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly loss: number;
  readonly duplication: number;
  readonly reorder: number;
}

export interface Frame {
  readonly family: IpFamily;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  /**
   * The IP protocol, as a raw socket tells them apart: 112 frames carry the VRRP message, 51 (AH) frames the whole
   * IPv4 datagram (header, AH header, VRRP message), the bytes a real link puts on the wire. Absent means 112.
   */
  readonly protocol?: number | undefined;
  /** Protocol 17 (BFD over UDP, sim/simulated-bfd-link.ts): the ports; `bytes` is then the UDP payload. */
  readonly udp?: { readonly sourcePort: number; readonly destinationPort: number } | undefined;
  readonly bytes: Uint8Array;
}

export type NetworkDropCause = 'loss' | 'partition' | 'link_down' | 'no_route';

export class SegmentPort {
  up = true;
  /** Addresses this port answers to for unicast (configured ones and VIPs). */
  readonly addresses = new Set<string>();
  private readonly listeners: ((frame: Frame) => void)[] = [];
  /** Listeners for link-layer frames (tests, captures). */
  readonly linkListeners: ((frame: Uint8Array) => void)[] = [];

  constructor(
    readonly segment: LanSegment,
    readonly host: string,
    readonly interfaceName: string,
  ) {}

  listen(listener: (frame: Frame) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  send(frame: Frame): void {
    this.segment.transmit(this, frame);
  }

  /** Hears the link-layer frames other ports send. Returns the way to stop. */
  listenLinkFrames(listener: (frame: Uint8Array) => void): () => void {
    this.linkListeners.push(listener);
    return () => {
      const i = this.linkListeners.indexOf(listener);
      if (i >= 0) this.linkListeners.splice(i, 1);
    };
  }

  /** Sends a whole Ethernet frame to every other port (broadcast and multicast alike). */
  sendLinkFrame(bytes: Uint8Array): void {
    this.segment.broadcastLinkFrame(this, bytes);
  }

  /** Called by the segment when a frame arrives. */
  deliver(frame: Frame): void {
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(frame);
  }
}

export class LanSegment {
  private readonly ports: SegmentPort[] = [];
  private quality: LinkQuality;
  /** Host → partition group index; hosts not named in a partition are cut off from everyone. */
  private sides: Map<string, number> | undefined;
  packetsSent = 0;
  packetsDelivered = 0;
  readonly dropped: Record<NetworkDropCause, number> = { loss: 0, partition: 0, link_down: 0, no_route: 0 };

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly random: Random,
    quality: LinkQuality,
  ) {
    this.quality = quality;
  }

  /** The port of a host's interface: what it answers to (`addresses`) is what the segment delivers to it. */
  port(host: string, interfaceName: string): SegmentPort | undefined {
    return this.ports.find((p) => p.host === host && p.interfaceName === interfaceName);
  }

  /** Whether any port listens for link-layer frames (when none does, senders need not build them). */
  carriesLinkFrames(): boolean {
    return this.ports.some((p) => p.linkListeners.length > 0);
  }

  /** Carries a link-layer frame to every other listening port that is up and on the sender's side, after the base latency. */
  broadcastLinkFrame(from: SegmentPort, bytes: Uint8Array): void {
    if (!from.up) return;
    for (const to of this.ports) {
      if (to === from || to.linkListeners.length === 0 || !this.sameSide(from.host, to.host)) continue;
      this.clock.setTimeout(() => {
        if (!to.up) return;
        for (const listener of [...to.linkListeners]) listener(bytes);
      }, this.quality.latencyMs);
    }
  }

  attach(host: string, interfaceName: string): SegmentPort {
    const port = new SegmentPort(this, host, interfaceName);
    this.ports.push(port);
    return port;
  }

  /** The interface is gone (deleted on its host): the port hears and carries nothing from now on. */
  detach(port: SegmentPort): void {
    port.up = false;
    const i = this.ports.indexOf(port);
    if (i >= 0) this.ports.splice(i, 1);
  }

  setQuality(change: Partial<LinkQuality>): void {
    this.quality = { ...this.quality, ...change };
  }

  partition(groups: readonly (readonly string[])[]): void {
    const sides = new Map<string, number>();
    groups.forEach((group, i) => group.forEach((host) => sides.set(host, i)));
    this.sides = sides;
  }

  heal(): void {
    this.sides = undefined;
  }

  private sameSide(a: string, b: string): boolean {
    if (!this.sides) return true;
    const sa = this.sides.get(a);
    return sa !== undefined && sa === this.sides.get(b);
  }

  transmit(from: SegmentPort, frame: Frame): void {
    this.packetsSent++;
    if (!from.up) {
      this.dropped.link_down++;
      return;
    }
    if (isMulticastIp(frame.destination)) {
      for (let i = 0; i < this.ports.length; i++) {
        const to = this.ports[i]!;
        if (to.host === from.host) continue; // a sender never hears itself (IP_MULTICAST_LOOP 0)
        this.carry(from, to, frame);
      }
      return;
    }
    for (let i = 0; i < this.ports.length; i++) {
      const to = this.ports[i]!;
      if (to !== from && to.addresses.has(frame.destination)) {
        this.carry(from, to, frame);
        return;
      }
    }
    this.dropped.no_route++;
  }

  private carry(from: SegmentPort, to: SegmentPort, frame: Frame): void {
    if (!this.sameSide(from.host, to.host)) {
      this.dropped.partition++;
      return;
    }
    const q = this.quality;
    if (q.loss > 0 && this.random.next() < q.loss) {
      this.dropped.loss++;
      return;
    }
    let delay = q.latencyMs;
    if (q.jitterMs > 0) delay += this.random.next() * q.jitterMs;
    if (q.reorder > 0 && this.random.next() < q.reorder) delay += q.latencyMs + q.jitterMs;
    this.schedule(to, frame, delay);
    if (q.duplication > 0 && this.random.next() < q.duplication) this.schedule(to, frame, delay + q.latencyMs / 2);
  }

  private schedule(to: SegmentPort, frame: Frame, delay: number): void {
    // Rounded to the microsecond: VRRP timers have that resolution, and it keeps output free of float noise.
    const rounded = Math.round(delay * 1000) / 1000;
    this.clock.setTimeout(() => {
      if (!to.up) {
        this.dropped.link_down++;
        return;
      }
      this.packetsDelivered++;
      to.deliver(frame);
    }, rounded);
  }

  /** The worst extra delay the current quality can add to a packet (for the invariants' bounds). */
  worstDelayMs(): number {
    const q = this.quality;
    return q.latencyMs + q.jitterMs + (q.reorder > 0 ? q.latencyMs + q.jitterMs : 0) + (q.duplication > 0 ? q.latencyMs / 2 : 0);
  }
}
