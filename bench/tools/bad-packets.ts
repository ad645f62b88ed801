/**
 * The flood benchmarks' four kinds of bad advertisement, as whole IPv4 datagrams (hex, for the sender): TTL 254 on
 * the VRRPv3 master's VRID, an unknown VRID (99), a bad checksum, and a wrong PASS password on the VRRPv2 master.
 * Their priority is above the masters', so a daemon that acted on one would lose mastership.
 */
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { ipv4Datagram } from './packet-mutations.js';

export interface BadPacketTargets {
  readonly v3Vip: string;
  readonly v2Vip: string;
  /** The VRRPv3 packets' advertisement interval (centiseconds). */
  readonly v3IntervalCs: number;
}

export function badAdvertDatagrams(source: string, t: BadPacketTargets): string[] {
  const adv = (o: Partial<VrrpAdvertisement>): Uint8Array =>
    encodeAdvertisement(
      { version: 3, vrid: 100, priority: 254, intervalCs: t.v3IntervalCs, family: 4, addresses: [t.v3Vip], authType: 0, authPassword: '', ...o },
      { source, destination: '224.0.0.18' },
    );
  const badChecksum = adv({});
  badChecksum[6] = badChecksum[6]! ^ 0xff;
  const payloads: [Uint8Array, number][] = [
    [adv({}), 254],
    [adv({ vrid: 99 }), 255],
    [badChecksum, 255],
    [adv({ version: 2, vrid: 101, intervalCs: 100, addresses: [t.v2Vip], authType: 1, authPassword: 'wrong' }), 255],
  ];
  return payloads.map(([payload, ttl]) => Buffer.from(ipv4Datagram({ source, destination: '224.0.0.18', ttl, payload })).toString('hex'));
}
