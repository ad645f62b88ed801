/**
 * IPVS generic-netlink messages, byte for byte. Every expected buffer below is written out by hand from
 * include/uapi/linux/ip_vs.h (attribute numbers), linux/netlink.h (nlmsghdr, nlattr: 4-byte alignment,
 * NLA_F_NESTED = 0x8000) and linux/genetlink.h (genlmsghdr), little-endian host order, ports big-endian.
 * Framing in every case: family id 0x23, pid 0, flags REQUEST|ACK (0x0005) or REQUEST|DUMP (0x0301).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getFamilyMessage, parseNetlinkMessages } from '../../protocol/genl.js';
import {
  decodeIpvsMessage,
  delDestMessage,
  delServiceMessage,
  flushMessage,
  getDestsMessage,
  getServicesMessage,
  newDestMessage,
  newServiceMessage,
  setDestMessage,
  setServiceMessage,
  type IpvsService,
} from '../../protocol/ipvs-messages.js';
import { toIpvsDest, toIpvsService } from '../../transport/real/lb/ipvs-mapping.js';
import { SCHEDULERS, type AddressService, type Destination, type FwmarkService } from '../../machines/desired-state.js';
import { webService } from './fixtures.js';

const h = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const f = (seq: number) => ({ familyId: 0x23, seq });

const tcpWeb: AddressService = webService('rr', []);
const udpDns: AddressService = { ...tcpWeb, key: 'dns', protocol: 'udp', port: 53, scheduler: 'wlc', persistenceTimeout: 300, persistenceGranularity: '255.255.255.0' };
const sctp6: AddressService = {
  ...tcpWeb,
  key: 'sctp6',
  protocol: 'sctp',
  family: 6,
  address: 'fd77::100',
  port: 443,
  scheduler: 'sh',
  persistenceTimeout: 60,
  persistenceGranularity: 64,
};
const fwm7: FwmarkService = { kind: 'fwmark', key: 'fwm7', protocol: 'tcp', family: 4, fwmark: 7, scheduler: 'rr', destinations: [] };
const fwm6: FwmarkService = { ...fwm7, key: 'fwm6', family: 6, fwmark: 0x01020304 };

/** Identity of tcpWeb inside IPVS_CMD_ATTR_SERVICE: AF_INET, IPPROTO_TCP, 192.168.77.100 (16 bytes), port 80. */
const WEB_ID = h(
  '0600 0100 0200 0000',
  '0600 0200 0600 0000',
  '1400 0300 c0a84d64 000000000000000000000000',
  '0600 0400 0050 0000',
);
/** Identity of sctp6: AF_INET6 (10), IPPROTO_SCTP (132), fd77::100, port 443. */
const SCTP6_ID = h('0600 0100 0a00 0000', '0600 0200 8400 0000', '1400 0300 fd770000 00000000 00000000 00000100', '0600 0400 01bb 0000');

const nat67: Destination = { address: '192.168.77.67', port: 8080, weight: 3, forwarding: 'NAT' };

test('IPVS_CMD_NEW_SERVICE, IPv4 TCP, rr, not persistent', () => {
  const expected = h(
    '68000000 2300 0500 01000000 00000000', // nlmsghdr: 104 bytes, family 0x23, REQUEST|ACK, seq 1
    '01 01 0000', // genlmsghdr: IPVS_CMD_NEW_SERVICE, version 1
    '5400 0180', // IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, 84 bytes
    WEB_ID,
    '0700 0600 727200 00', // SCHED_NAME "rr\0" + 1 pad
    '0c00 0700 00000000 ffffffff', // FLAGS {flags 0, mask ~0}
    '0800 0800 00000000', // TIMEOUT 0
    '0800 0900 ffffffff', // NETMASK 255.255.255.255 (__be32)
  );
  assert.equal(hex(newServiceMessage(f(1), toIpvsService(tcpWeb))), expected);
});

test('IPVS_CMD_SET_SERVICE, IPv4 UDP, wlc, persistent 300 s with a /24 granularity', () => {
  const expected = h(
    '68000000 2300 0500 02000000 00000000',
    '02 01 0000', // IPVS_CMD_SET_SERVICE
    '5400 0180',
    '0600 0100 0200 0000',
    '0600 0200 1100 0000', // IPPROTO_UDP 17
    '1400 0300 c0a84d64 000000000000000000000000',
    '0600 0400 0035 0000', // port 53
    '0800 0600 776c6300', // "wlc\0"
    '0c00 0700 01000000 ffffffff', // IP_VS_SVC_F_PERSISTENT
    '0800 0800 2c010000', // 300
    '0800 0900 ffffff00', // 255.255.255.0 in network order
  );
  assert.equal(hex(setServiceMessage(f(2), toIpvsService(udpDns))), expected);
});

test('IPVS_CMD_DEL_SERVICE carries only the identity', () => {
  const expected = h('44000000 2300 0500 03000000 00000000', '03 01 0000', '3000 0180', WEB_ID);
  assert.equal(hex(delServiceMessage(f(3), toIpvsService(tcpWeb))), expected);
});

test('IPVS_CMD_NEW_SERVICE, IPv6 SCTP, sh, persistence prefix 64 (host-order u32)', () => {
  const expected = h(
    '68000000 2300 0500 04000000 00000000',
    '01 01 0000',
    '5400 0180',
    SCTP6_ID,
    '0700 0600 736800 00', // "sh"
    '0c00 0700 01000000 ffffffff',
    '0800 0800 3c000000', // 60
    '0800 0900 40000000', // prefix 64
  );
  assert.equal(hex(newServiceMessage(f(4), toIpvsService(sctp6))), expected);
});

test('IPv6 service without granularity uses prefix 128 (the kernel refuses 0)', () => {
  const { persistenceGranularity: _g, persistenceTimeout: _t, ...plain } = sctp6;
  const msg = hex(newServiceMessage(f(4), toIpvsService(plain)));
  assert.ok(msg.endsWith(h('0800 0800 00000000', '0800 0900 80000000')), msg);
});

test('fwmark services: AF and FWMARK instead of protocol, address and port', () => {
  const add = h(
    '4c000000 2300 0500 05000000 00000000',
    '01 01 0000',
    '3800 0180',
    '0600 0100 0200 0000',
    '0800 0500 07000000', // FWMARK 7
    '0700 0600 727200 00',
    '0c00 0700 00000000 ffffffff',
    '0800 0800 00000000',
    '0800 0900 ffffffff',
  );
  assert.equal(hex(newServiceMessage(f(5), toIpvsService(fwm7))), add);
  const del = h('28000000 2300 0500 06000000 00000000', '03 01 0000', '1400 0180', '0600 0100 0a00 0000', '0800 0500 04030201');
  assert.equal(hex(delServiceMessage(f(6), toIpvsService(fwm6))), del);
});

test('IPVS_CMD_NEW_DEST, NAT, weight 3', () => {
  const expected = h(
    '8c000000 2300 0500 07000000 00000000', // 140 bytes
    '05 01 0000', // IPVS_CMD_NEW_DEST
    '3000 0180',
    WEB_ID,
    '4800 0280', // IPVS_CMD_ATTR_DEST | NLA_F_NESTED, 72 bytes
    '1400 0100 c0a84d43 000000000000000000000000', // ADDR 192.168.77.67
    '0600 0200 1f90 0000', // PORT 8080
    '0800 0300 00000000', // FWD_METHOD IP_VS_CONN_F_MASQ
    '0800 0400 03000000', // WEIGHT 3
    '0800 0500 00000000', // U_THRESH
    '0800 0600 00000000', // L_THRESH
    '0600 0b00 0200 0000', // ADDR_FAMILY AF_INET
  );
  assert.equal(hex(newDestMessage(f(7), toIpvsService(tcpWeb), toIpvsDest(nat67, tcpWeb))), expected);
});

test('IPVS_CMD_SET_DEST, DR, weight 0 (inhibited), thresholds', () => {
  const dest: Destination = { address: '192.168.77.68', port: 80, weight: 0, forwarding: 'DR', upperThreshold: 1000, lowerThreshold: 10 };
  const expected = h(
    '8c000000 2300 0500 08000000 00000000',
    '06 01 0000', // IPVS_CMD_SET_DEST
    '3000 0180',
    WEB_ID,
    '4800 0280',
    '1400 0100 c0a84d44 000000000000000000000000',
    '0600 0200 0050 0000',
    '0800 0300 03000000', // IP_VS_CONN_F_DROUTE
    '0800 0400 00000000',
    '0800 0500 e8030000', // 1000
    '0800 0600 0a000000', // 10
    '0600 0b00 0200 0000',
  );
  assert.equal(hex(setDestMessage(f(8), toIpvsService(tcpWeb), toIpvsDest(dest, tcpWeb))), expected);
});

test('IPVS_CMD_DEL_DEST carries address, port and family only', () => {
  const dest: Destination = { address: '192.168.77.69', port: 80, weight: 1, forwarding: 'TUN' };
  const expected = h(
    '6c000000 2300 0500 09000000 00000000',
    '07 01 0000',
    '3000 0180',
    WEB_ID,
    '2800 0280',
    '1400 0100 c0a84d45 000000000000000000000000',
    '0600 0200 0050 0000',
    '0600 0b00 0200 0000',
  );
  assert.equal(hex(delDestMessage(f(9), toIpvsService(tcpWeb), toIpvsDest(dest, tcpWeb))), expected);
});

test('IPVS_CMD_NEW_DEST, IPv6', () => {
  const dest: Destination = { address: 'fd77::67', port: 443, weight: 1, forwarding: 'NAT' };
  const expected = h(
    '8c000000 2300 0500 0a000000 00000000',
    '05 01 0000',
    '3000 0180',
    SCTP6_ID,
    '4800 0280',
    '1400 0100 fd770000 00000000 00000000 00000067',
    '0600 0200 01bb 0000',
    '0800 0300 00000000',
    '0800 0400 01000000',
    '0800 0500 00000000',
    '0800 0600 00000000',
    '0600 0b00 0a00 0000', // AF_INET6
  );
  assert.equal(hex(newDestMessage(f(10), toIpvsService(sctp6), toIpvsDest(dest, sctp6))), expected);
});

test('a destination port 0 in an address service takes the service port; in a fwmark service it stays 0', () => {
  const d: Destination = { address: '192.168.77.67', port: 0, weight: 1, forwarding: 'DR' };
  assert.equal(toIpvsDest(d, tcpWeb).port, 80);
  assert.equal(toIpvsDest(d, fwm7).port, 0);
});

test('dumps and flush: GET_SERVICE, GET_DEST (NLM_F_DUMP), FLUSH', () => {
  assert.equal(hex(getServicesMessage(f(11))), h('14000000 2300 0103 0b000000 00000000', '04 01 0000'));
  assert.equal(hex(flushMessage(f(12))), h('14000000 2300 0500 0c000000 00000000', '11 01 0000'));
  assert.equal(hex(getDestsMessage(f(13), toIpvsService(tcpWeb))), h('44000000 2300 0103 0d000000 00000000', '08 01 0000', '3000 0180', WEB_ID));
});

test('CTRL_CMD_GETFAMILY "IPVS"', () => {
  assert.equal(
    hex(getFamilyMessage('IPVS', 1)),
    h('20000000 1000 0100 01000000 00000000', '03 01 0000', '0900 0200 49505653 00 000000'),
  );
});

/** SCHED_NAME attributes written out by hand: length 4 + name + NUL, padded to 4. */
const SCHED_ATTRS: Record<(typeof SCHEDULERS)[number], string> = {
  rr: '0700 0600 727200 00',
  wrr: '0800 0600 77727200',
  lc: '0700 0600 6c6300 00',
  wlc: '0800 0600 776c6300',
  lblc: '0900 0600 6c626c63 00 000000',
  lblcr: '0a00 0600 6c626c63 7200 0000',
  dh: '0700 0600 646800 00',
  sh: '0700 0600 736800 00',
  sed: '0800 0600 73656400',
  nq: '0700 0600 6e7100 00',
  fo: '0700 0600 666f00 00',
  ovf: '0800 0600 6f766600',
  mh: '0700 0600 6d6800 00',
  twos: '0900 0600 74776f73 00 000000',
};

test('every scheduler name', () => {
  for (const scheduler of SCHEDULERS) {
    const sched = h(SCHED_ATTRS[scheduler]);
    const nestedLength = 4 + WEB_ID.length / 2 + sched.length / 2 + 12 + 8 + 8;
    const total = 16 + 4 + nestedLength;
    const le16 = (n: number): string => h((n & 0xff).toString(16).padStart(2, '0'), (n >> 8).toString(16).padStart(2, '0'));
    const expected = h(
      le16(total), '0000 2300 0500 01000000 00000000',
      '01 01 0000',
      le16(nestedLength), '0180',
      WEB_ID,
      sched,
      '0c00 0700 00000000 ffffffff',
      '0800 0800 00000000',
      '0800 0900 ffffffff',
    );
    assert.equal(hex(newServiceMessage(f(1), toIpvsService({ ...tcpWeb, scheduler }))), expected, scheduler);
  }
});

test('every forwarding method: NAT = 0 (MASQ), DR = 3 (DROUTE), TUN = 2 (TUNNEL)', () => {
  const expectedFwd = { NAT: '00000000', DR: '03000000', TUN: '02000000' } as const;
  for (const forwarding of ['NAT', 'DR', 'TUN'] as const) {
    const msg = hex(newDestMessage(f(1), toIpvsService(tcpWeb), toIpvsDest({ ...nat67, forwarding }, tcpWeb)));
    // FWD_METHOD follows the 20-byte ADDR and 8-byte PORT inside the destination.
    const at = (16 + 4 + 48 + 4 + 20 + 8) * 2;
    assert.equal(msg.slice(at, at + 16), h('0800 0300', expectedFwd[forwarding]), forwarding);
  }
});

test('decode(encode(x)) = x for services and destinations (property)', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => Uint8Array.from(b));
  const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const service = fc.oneof(
    fc.record({
      af: fc.constant(2),
      protocol: fc.constantFrom(6, 17, 132),
      address: v4,
      port: fc.integer({ min: 1, max: 65535 }),
      scheduler: fc.constantFrom(...SCHEDULERS),
      flags: fc.constantFrom(0, 1),
      timeout: fc.nat(),
      netmask: fc.integer({ min: 0, max: 32 }).map((n) => (n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0)),
    }),
    fc.record({
      af: fc.constant(10),
      protocol: fc.constantFrom(6, 17, 132),
      fwmark: fc.integer({ min: 1, max: 0xffffffff }),
      scheduler: fc.constantFrom(...SCHEDULERS),
      flags: fc.constantFrom(0, 1),
      timeout: fc.nat(),
      netmask: fc.integer({ min: 1, max: 128 }),
    }),
  );
  const dest = fc.record({
    address: v6,
    port: fc.integer({ min: 0, max: 65535 }),
    af: fc.constant(10),
    fwdMethod: fc.constantFrom(0, 2, 3),
    weight: fc.nat(),
    upperThreshold: fc.nat(),
    lowerThreshold: fc.nat(),
  });
  fc.assert(
    fc.property(service, dest, fc.nat(), (s: IpvsService, d, seq) => {
      const [msg] = parseNetlinkMessages(newDestMessage({ familyId: 0x23, seq }, s, d));
      assert.ok(msg !== undefined);
      assert.equal(msg.seq, seq);
      const decoded = decodeIpvsMessage(msg);
      assert.equal(decoded.cmd, 5);
      assert.deepEqual(decoded.dest, { ...d });
      const [full] = parseNetlinkMessages(newServiceMessage({ familyId: 0x23, seq }, s));
      assert.ok(full !== undefined);
      const back = decodeIpvsMessage(full).service;
      // A fwmark service is sent without its protocol (the kernel ignores it for fwmark lookups).
      assert.deepEqual(back, s.fwmark !== undefined ? { ...s, protocol: 0 } : { ...s });
    }),
  );
});

test('scheduler flags and a persistence engine: FLAGS bits and PE_NAME after SCHED_NAME (ops, flag-2, sip)', () => {
  const sip: AddressService = { ...udpDns, key: 'sip', port: 5060, scheduler: 'sh', schedulerFlags: ['ops', 'flag-2'], persistenceEngine: 'sip', persistenceGranularity: '255.255.255.255' };
  const expected = h(
    '70000000 2300 0500 01000000 00000000', // 112 bytes
    '01 01 0000',
    '5c00 0180', // 92 bytes
    '0600 0100 0200 0000',
    '0600 0200 1100 0000',
    '1400 0300 c0a84d64 000000000000000000000000',
    '0600 0400 13c4 0000', // port 5060
    '0700 0600 736800 00', // "sh"
    '0800 0b00 73697000', // IPVS_SVC_ATTR_PE_NAME "sip\0"
    '0c00 0700 15000000 ffffffff', // PERSISTENT 0x1 | ONEPACKET 0x4 | SCHED2 0x10
    '0800 0800 2c010000',
    '0800 0900 ffffffff',
  );
  const msg = newServiceMessage(f(1), toIpvsService(sip));
  assert.equal(hex(msg), expected);
  const [m] = parseNetlinkMessages(msg);
  assert.equal(decodeIpvsMessage(m!).service?.peName, 'sip');
});

test('flag-1 and flag-3 are IP_VS_SVC_F_SCHED1 (0x08) and SCHED3 (0x20); an engine without persistence is not sent', () => {
  const s = toIpvsService({ ...tcpWeb, schedulerFlags: ['flag-1', 'flag-3'], persistenceEngine: 'sip' });
  assert.equal(s.flags, 0x28);
  assert.equal(s.peName, undefined, 'keepalived names the engine only for a persistent service');
});

test('TUN destinations: TUN_TYPE always, TUN_PORT (big-endian) for gue, TUN_FLAGS for gue and gre', () => {
  const base = h('0800 0300 02000000', '0800 0400 01000000', '0800 0500 00000000', '0800 0600 00000000', '0600 0b00 0200 0000');
  const head = (len: string, nested: string) => h(len, '2300 0500 01000000 00000000', '05 01 0000', '3000 0180', WEB_ID, nested, '1400 0100 c0a84d43 000000000000000000000000', '0600 0200 1f90 0000');
  const tun: Destination = { ...nat67, weight: 1, forwarding: 'TUN' };
  const gue = h(head('a4000000', '6000 0280'), base, '0500 0d00 01 000000', '0600 0e00 17c0 0000', '0600 0f00 0100 0000');
  assert.equal(hex(newDestMessage(f(1), toIpvsService(tcpWeb), toIpvsDest({ ...tun, tunnel: { type: 'gue', port: 6080, checksum: 'csum' } }, tcpWeb))), gue);
  const gre = h(head('9c000000', '5800 0280'), base, '0500 0d00 02 000000', '0600 0f00 0000 0000');
  assert.equal(hex(newDestMessage(f(1), toIpvsService(tcpWeb), toIpvsDest({ ...tun, tunnel: { type: 'gre' } }, tcpWeb))), gre);
  const ipip = h(head('94000000', '5000 0280'), base, '0500 0d00 00 000000');
  assert.equal(hex(newDestMessage(f(1), toIpvsService(tcpWeb), toIpvsDest(tun, tcpWeb))), ipip, 'plain TUN is IPIP, type 0');
  const [m] = parseNetlinkMessages(Buffer.from(gue, 'hex'));
  const d = decodeIpvsMessage(m!).dest;
  assert.deepEqual([d?.tunType, d?.tunPort, d?.tunFlags], [1, 6080, 1]);
});

test('a NAT or DR destination carries no tunnel attribute', () => {
  const msg = hex(newDestMessage(f(1), toIpvsService(tcpWeb), toIpvsDest({ ...nat67, forwarding: 'DR', tunnel: undefined }, tcpWeb)));
  assert.equal(msg.length / 2, 140);
});
