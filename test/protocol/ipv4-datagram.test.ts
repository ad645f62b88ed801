/** The IPv4 header vigil builds for an IP_HDRINCL send (unicast_ttl 0): the fields keepalived's vrrp_build_ip4 sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4Datagram } from '../../protocol/ipv4-datagram.js';
import { internetChecksum } from '../../protocol/checksum.js';

const vrrp = Uint8Array.from([0x31, 51, 100, 1, 0x00, 0x64, 0x12, 0x34, 192, 168, 77, 100]);

test('header: version 4, IHL 5, TOS 0xc0, lengths, TTL as given (0 included), protocol 112, addresses, valid checksum', () => {
  for (const ttl of [0, 1, 255]) {
    const d = ipv4Datagram(vrrp, { source: '192.168.77.11', destination: '192.168.77.12', ttl });
    assert.equal(d.length, 20 + vrrp.length);
    assert.deepEqual([...d.subarray(0, 4)], [0x45, 0xc0, 0, 32]);
    assert.equal(d[8], ttl);
    assert.equal(d[9], 112);
    assert.deepEqual([...d.subarray(12, 20)], [192, 168, 77, 11, 192, 168, 77, 12]);
    assert.equal(internetChecksum(d.subarray(0, 20)), 0, 'a header with its checksum sums to zero');
    assert.deepEqual([...d.subarray(20)], [...vrrp]);
  }
});

test('no source: 0.0.0.0, which the kernel fills in', () => {
  const d = ipv4Datagram(vrrp, { source: '', destination: '192.168.77.12', ttl: 0 });
  assert.deepEqual([...d.subarray(12, 16)], [0, 0, 0, 0]);
});

test('refused: an IPv6 address or a TTL outside 0..255', () => {
  assert.throws(() => ipv4Datagram(vrrp, { source: 'fd77::1', destination: '192.168.77.12', ttl: 1 }), RangeError);
  assert.throws(() => ipv4Datagram(vrrp, { source: '192.168.77.11', destination: '192.168.77.12', ttl: 256 }), RangeError);
  assert.throws(() => ipv4Datagram(vrrp, { source: '192.168.77.11', destination: '192.168.77.12', ttl: -1 }), RangeError);
});
