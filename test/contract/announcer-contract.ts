/**
 * The Announcer contract (transport/address-manager.ts): what reaches the other host on the link after announce()
 * (RFC 5798 §6.4.2; keepalived's gratuitous ARP and unsolicited NA): one frame per address, in order, from the
 * interface's MAC; an IPv4 address as a gratuitous ARP request to broadcast with sender = target = the address; an
 * IPv6 one as an unsolicited neighbour advertisement from it to ff02::1, hop limit 255, Override set, Solicited
 * clear, target = the address, our MAC in a target link-layer option, a valid checksum. An unknown or down
 * interface sends nothing, and announce() never throws. Frames are read as captured on b (tcpdump in a namespace,
 * or the simulated segment), decoded here without the code that built them.
 */
import assert from 'node:assert/strict';
import type { InterfaceAddress } from '../../transport/address-manager.js';
import { formatIpv4, formatIpv6, parseIpv6 } from '../../protocol/ip.js';
import { internetChecksum, pseudoHeader } from '../../protocol/checksum.js';
import type { ContractWorld } from './contract-world.js';
import type { ContractCase } from './contract.js';

const mac = (bytes: Uint8Array, offset: number): string =>
  [...bytes.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');

export type Announcement =
  | { readonly kind: 'arp'; readonly from: string; readonly to: string; readonly op: number; readonly senderMac: string; readonly senderIp: string; readonly targetMac: string; readonly targetIp: string }
  | {
      readonly kind: 'na';
      readonly from: string;
      readonly to: string;
      readonly source: string;
      readonly destination: string;
      readonly hopLimit: number;
      readonly router: boolean;
      readonly solicited: boolean;
      readonly override: boolean;
      readonly target: string;
      readonly optionMac: string | undefined;
      readonly checksumOk: boolean;
    };

/** Decodes a gratuitous ARP or a neighbour advertisement; anything else is undefined. */
export function decodeAnnouncement(frame: Uint8Array): Announcement | undefined {
  if (frame.length < 14) return undefined;
  const ethertype = (frame[12]! << 8) | frame[13]!;
  const from = mac(frame, 6);
  const to = mac(frame, 0);
  if (ethertype === 0x0806 && frame.length >= 42) {
    const arp = 14;
    return {
      kind: 'arp',
      from,
      to,
      op: (frame[arp + 6]! << 8) | frame[arp + 7]!,
      senderMac: mac(frame, arp + 8),
      senderIp: formatIpv4(frame, arp + 14),
      targetMac: mac(frame, arp + 18),
      targetIp: formatIpv4(frame, arp + 24),
    };
  }
  if (ethertype !== 0x86dd || frame.length < 14 + 40 + 24) return undefined;
  const ip = 14;
  const icmp = ip + 40;
  if (frame[ip + 6] !== 58 || frame[icmp] !== 136) return undefined;
  const length = (frame[ip + 4]! << 8) | frame[ip + 5]!;
  const message = frame.subarray(icmp, icmp + length);
  const source = frame.subarray(ip + 8, ip + 24);
  const destination = frame.subarray(ip + 24, ip + 40);
  let optionMac: string | undefined;
  for (let o = 24; o + 8 <= message.length && message[o + 1]! > 0; o += message[o + 1]! * 8) {
    if (message[o] === 2) optionMac = mac(message, o + 2);
  }
  const flags = message[4]!;
  return {
    kind: 'na',
    from,
    to,
    source: formatIpv6(source),
    destination: formatIpv6(destination),
    hopLimit: frame[ip + 7]!,
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    target: formatIpv6(message, 8),
    optionMac,
    // The sum over the pseudo-header and the message, its checksum field included, is zero when it is right.
    checksumOk: internetChecksum(pseudoHeader(source, destination, message.length, 58), message) === 0,
  };
}

const v4 = (address: string): InterfaceAddress => ({ address, prefix: 32, family: 4, interface: 'eth0' });
const v6 = (address: string): InterfaceAddress => ({ address, prefix: 128, family: 6, interface: 'eth0' });

/** The announcements that reached b for an address (the ARP's sender, the NA's target). */
function heard(world: ContractWorld, address: string): Announcement[] {
  const canonical = address.includes(':') ? formatIpv6(parseIpv6(address)!) : address;
  return world
    .framesAtB()
    .map(decodeAnnouncement)
    .filter((a): a is Announcement => a !== undefined && (a.kind === 'arp' ? a.senderIp === canonical : a.target === canonical));
}

/** Announces a sentinel until it reaches b: everything a sent before it has had the time to arrive. */
async function sentinel(world: ContractWorld, address: string): Promise<void> {
  const announce = () => world.a.announce('eth0', [v4(address)]);
  await announce();
  await world.until(() => heard(world, address).length > 0, `the sentinel ${address}`, announce);
}

export const announcerContract: readonly ContractCase<ContractWorld>[] = [
  {
    name: 'an IPv4 address: one gratuitous ARP request to broadcast, from our MAC, sender = target = the address',
    async check(world) {
      await world.a.announce('eth0', [v4('192.168.77.230')]);
      await sentinel(world, '192.168.77.239');
      const got = heard(world, '192.168.77.230');
      assert.equal(got.length, 1);
      const arp = got[0]!;
      assert.ok(arp.kind === 'arp');
      assert.deepEqual(
        { to: arp.to, from: arp.from, op: arp.op, senderMac: arp.senderMac, targetIp: arp.targetIp },
        { to: 'ff:ff:ff:ff:ff:ff', from: world.a.mac, op: 1, senderMac: world.a.mac, targetIp: '192.168.77.230' },
      );
    },
  },
  {
    name: 'an IPv6 address: one unsolicited NA from it to ff02::1, hop limit 255, Override, our MAC, a valid checksum',
    async check(world) {
      await world.a.announce('eth0', [v6('fd77::1:230')]);
      await sentinel(world, '192.168.77.238');
      const got = heard(world, 'fd77::1:230');
      assert.equal(got.length, 1);
      const na = got[0]!;
      assert.ok(na.kind === 'na');
      assert.deepEqual(
        { to: na.to, from: na.from, source: na.source, destination: na.destination, hopLimit: na.hopLimit, solicited: na.solicited, override: na.override, optionMac: na.optionMac, checksumOk: na.checksumOk },
        { to: '33:33:00:00:00:01', from: world.a.mac, source: 'fd77::1:230', destination: 'ff02::1', hopLimit: 255, solicited: false, override: true, optionMac: world.a.mac, checksumOk: true },
      );
    },
  },
  {
    name: 'several addresses: one frame each, in the order given',
    async check(world) {
      const addresses = ['192.168.77.231', 'fd77::1:231', '192.168.77.232'];
      await world.a.announce('eth0', [v4(addresses[0]!), v6(addresses[1]!), v4(addresses[2]!)]);
      await sentinel(world, '192.168.77.237');
      const frames = world.framesAtB().map(decodeAnnouncement);
      const order = frames.flatMap((f) =>
        f?.kind === 'arp' && addresses.includes(f.senderIp) ? [f.senderIp] : f?.kind === 'na' && addresses.includes(f.target) ? [f.target] : [],
      );
      assert.deepEqual(order, addresses);
    },
  },
  {
    name: 'an unknown interface: nothing is sent, and announce() does not throw',
    async check(world) {
      await world.a.announce('vigil-none0', [v4('192.168.77.233'), v6('fd77::1:233')]);
      await sentinel(world, '192.168.77.236');
      assert.deepEqual(heard(world, '192.168.77.233'), []);
      assert.deepEqual(heard(world, 'fd77::1:233'), []);
    },
  },
  {
    name: 'an interface that is down sends nothing; up again, it announces',
    async check(world) {
      await world.a.setLink(false);
      await world.settle(100);
      try {
        await world.a.announce('eth0', [v4('192.168.77.234')]);
      } finally {
        await world.a.setLink(true);
      }
      // The link may take a moment to carry frames again: the sentinel is announced until it arrives.
      const address = '192.168.77.235';
      await world.until(() => heard(world, address).length > 0, 'an announcement after the link came up', () => world.a.announce('eth0', [v4(address)]));
      assert.deepEqual(heard(world, '192.168.77.234'), []);
    },
  },
];
