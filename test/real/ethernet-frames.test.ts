import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGratuitousArp, buildUnsolicitedNa, icmpv6Checksum } from '../../protocol/ethernet-frames.js';
import { bytesToIp, ipv4Broadcast, ipv6ToBytes, macFromString } from '../../protocol/ip-bytes.js';
import { parseIpv4Header } from '../../transport/real/raw-vrrp-link.js';
import { virtualRouterMac } from '../../transport/real/vmac.js';

const MAC = macFromString('02:11:22:33:44:55');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('gratuitous ARP: broadcast request, sender = target = VIP, target MAC broadcast', () => {
  const f = buildGratuitousArp(MAC, '192.168.77.100');
  assert.equal(f.length, 42);
  assert.equal(hex(f.subarray(0, 14)), 'ffffffffffff' + '021122334455' + '0806');
  assert.equal(hex(f.subarray(14, 22)), '0001' + '0800' + '06' + '04' + '0001');
  assert.equal(hex(f.subarray(22, 28)), '021122334455');
  assert.equal(bytesToIp(f.subarray(28, 32)), '192.168.77.100');
  assert.equal(hex(f.subarray(32, 38)), 'ffffffffffff');
  assert.equal(bytesToIp(f.subarray(38, 42)), '192.168.77.100');
});

test('unsolicited NA: from the VIP to ff02::1, hop limit 255, Override, target link-layer option, valid checksum', () => {
  const f = buildUnsolicitedNa(MAC, 'fd77::64:100');
  assert.equal(f.length, 86);
  assert.equal(hex(f.subarray(0, 14)), '333300000001' + '021122334455' + '86dd');
  const ip = f.subarray(14, 54);
  assert.equal(ip[0], 0x60);
  assert.equal((ip[4] ?? 0) * 256 + (ip[5] ?? 0), 32);
  assert.equal(ip[6], 58);
  assert.equal(ip[7], 255);
  assert.equal(bytesToIp(ip.subarray(8, 24)), 'fd77::64:100');
  assert.equal(bytesToIp(ip.subarray(24, 40)), 'ff02::1');
  const icmp = f.subarray(54);
  assert.equal(icmp[0], 136);
  assert.equal(icmp[4], 0x20, 'Override only');
  assert.equal(bytesToIp(icmp.subarray(8, 24)), 'fd77::64:100');
  assert.equal(hex(icmp.subarray(24, 32)), '0201' + '021122334455');
  // Summing a message that carries its checksum gives 0 (complemented): recompute with the field as sent.
  const zeroed = Uint8Array.from(icmp);
  zeroed[2] = 0;
  zeroed[3] = 0;
  assert.equal(icmpv6Checksum(ipv6ToBytes('fd77::64:100'), ipv6ToBytes('ff02::1'), zeroed), ((icmp[2] ?? 0) << 8) | (icmp[3] ?? 0));
  assert.equal(buildUnsolicitedNa(MAC, 'fd77::64:100', { router: true }).at(54 + 4), 0xa0);
});

test('frames refuse a MAC that is not 6 bytes', () => {
  assert.throws(() => buildGratuitousArp(Uint8Array.of(1, 2, 3), '192.168.77.1'));
});

test('IPv6 text round trip in RFC 5952 form', () => {
  for (const a of ['fe80::1', '::', '::1', 'fd77::64:100', '1:2:3:4:5:6:7:8', 'ff02::12', 'fe80::a8bb:ccff:fedd:eeff']) {
    assert.equal(bytesToIp(ipv6ToBytes(a)), a);
  }
  assert.equal(bytesToIp(ipv6ToBytes('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
  assert.equal(bytesToIp(ipv6ToBytes('fe80::1%eth0')), 'fe80::1');
});

test('broadcast of a prefix (brd +)', () => {
  assert.equal(ipv4Broadcast('192.168.77.70', 26), '192.168.77.127');
  assert.equal(ipv4Broadcast('192.168.77.70', 32), '192.168.77.70');
  assert.equal(ipv4Broadcast('192.168.77.70', 24), '192.168.77.255');
});

test('virtual router MAC (RFC 5798 §7.3)', () => {
  assert.equal(virtualRouterMac(1, 4), '00:00:5e:00:01:01');
  assert.equal(virtualRouterMac(255, 6), '00:00:5e:00:02:ff');
  assert.throws(() => virtualRouterMac(0, 4));
  assert.throws(() => virtualRouterMac(256, 4));
});

test('IPv4 header parsing for received datagrams', () => {
  const packet = Uint8Array.from([0x45, 0, 0, 28, 0, 0, 0, 0, 254, 112, 0, 0, 192, 168, 77, 65, 224, 0, 0, 18, 0x31, 1, 100, 0, 0, 100, 0, 0]);
  assert.deepEqual(parseIpv4Header(packet), { headerLength: 20, ttl: 254, protocol: 112, source: '192.168.77.65', destination: '224.0.0.18' });
  assert.equal(parseIpv4Header(packet.subarray(0, 19)), undefined);
  assert.equal(parseIpv4Header(Uint8Array.from([0x65, ...packet.subarray(1)])), undefined, 'not version 4');
  assert.equal(parseIpv4Header(Uint8Array.from([0x4f, ...packet.subarray(1)])), undefined, 'IHL beyond the packet');
});
