/**
 * The AH codec and ICV against Debian's keepalived 2.2.7: datagrams captured with tcpdump in a namespace pair
 * (`auth_type AH`, `auth_pass secret`, VRID 51, priority 150, VIP 192.168.91.100, sender 192.168.91.1), in
 * multicast and in unicast to two peers. vigil must verify them, and seal the very same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AH_HEADER_LENGTH,
  ahIcv,
  ahKey,
  decodeAhHeader,
  encodeAhHeader,
  IPPROTO_AH,
  openAhDatagram,
  sealAhDatagram,
  verifyAhDatagram,
} from '../../protocol/ipsec-ah.js';
import { decodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { VRRP_PROTOCOL } from '../../protocol/vrrp-types.js';

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Multicast to 224.0.0.18: the first two adverts as master, then the priority 0 of its shutdown. */
const MULTICAST = [
  '45c0004000010000ff33bf0dc0a85b01e000001270040000c0a85b01000000016a07950e1b330e6e18840d122133960102012abdc0a85b640000000000000000',
  '45c0004000020000ff33bf0cc0a85b01e000001270040000c0a85b01000000020cd1483bd1ec0d1fc72ed8322133960102012abdc0a85b640000000000000000',
  '45c0004000050000ff33bf09c0a85b01e000001270040000c0a85b0100000005e85e56599a538b3ac066d030213300010201c0bdc0a85b640000000000000000',
].map(bytes);
/** Unicast to 192.168.91.2 and .3: one advertisement is one sequence number and one identification for both. */
const UNICAST = [
  '45c0004000010000ff338375c0a85b01c0a85b0270040000c0a85b01000000011317dda41022be20a4f043822133960102012abdc0a85b640000000000000000',
  '45c0004000010000ff338374c0a85b01c0a85b0370040000c0a85b0100000001eb1e75642b5faa14c0bbe5f32133960102012abdc0a85b640000000000000000',
  '45c0004000020000ff338374c0a85b01c0a85b0270040000c0a85b0100000002bdf460b944d6d58942fc01ce2133960102012abdc0a85b640000000000000000',
].map(bytes);
const KEY = ahKey('secret');
const SOURCE = '192.168.91.1';

test("keepalived's AH header: next header 112, length 4, SPI = source address, sequence from 1", () => {
  const seen = MULTICAST.map((d) => {
    const opened = openAhDatagram(d);
    assert.ok(opened.ok);
    assert.equal(opened.headerLength, 20);
    assert.equal(opened.ah.nextHeader, VRRP_PROTOCOL);
    assert.equal(opened.ah.payloadLength, 4);
    assert.equal(opened.ah.spi, 0xc0a85b01);
    const vrrp = decodeAdvertisement(opened.payload, { family: 4, source: SOURCE, destination: '224.0.0.18' });
    assert.ok(vrrp.ok);
    assert.equal(vrrp.advertisement.authType, 2);
    assert.deepEqual(vrrp.advertisement.addresses, ['192.168.91.100']);
    return [opened.ah.sequence, vrrp.advertisement.priority];
  });
  assert.deepEqual(seen, [
    [1, 150],
    [2, 150],
    [5, 0],
  ]);
  assert.equal(MULTICAST[0]![9], IPPROTO_AH);
});

test('the ICV of every captured datagram verifies with the password, in its own mode only', () => {
  for (const d of MULTICAST) {
    assert.deepEqual(verifyAhDatagram(d, KEY, false), { ok: true, sequence: decodeAhHeader(d, 20)!.sequence });
    // Multicast keeps the TTL in the ICV, unicast zeroes it: the other mode's ICV differs.
    assert.deepEqual(verifyAhDatagram(d, KEY, true), { ok: false, reason: 'icv' });
  }
  for (const d of UNICAST) {
    assert.equal(verifyAhDatagram(d, KEY, true).ok, true);
    assert.deepEqual(verifyAhDatagram(d, KEY, false), { ok: false, reason: 'icv' });
  }
  assert.deepEqual(verifyAhDatagram(MULTICAST[0]!, ahKey('secreT'), false), { ok: false, reason: 'icv' });
  assert.deepEqual(verifyAhDatagram(MULTICAST[0]!, ahKey(''), false), { ok: false, reason: 'icv' });
});

test("sealing reproduces keepalived's datagrams byte for byte (header checksum included)", () => {
  const cases = [
    { d: MULTICAST[0]!, destination: '224.0.0.18', unicast: false },
    { d: MULTICAST[2]!, destination: '224.0.0.18', unicast: false },
    { d: UNICAST[0]!, destination: '192.168.91.2', unicast: true },
    { d: UNICAST[1]!, destination: '192.168.91.3', unicast: true },
    { d: UNICAST[2]!, destination: '192.168.91.2', unicast: true },
  ];
  for (const { d, destination, unicast } of cases) {
    const identification = (d[4]! << 8) | d[5]!;
    const sequence = decodeAhHeader(d, 20)!.sequence;
    const sealed = sealAhDatagram(d.subarray(20 + AH_HEADER_LENGTH), { source: SOURCE, destination, ttl: 255, identification, sequence, key: KEY, unicast });
    assert.equal(hex(sealed), hex(d));
  }
});

test('mutable fields are outside the ICV; every other byte is inside', () => {
  const check = (d: Uint8Array, unicast: boolean): void => {
    const mutable = new Set([1, 6, 7, 10, 11, ...(unicast ? [8] : [])]);
    for (let i = 0; i < d.length; i++) {
      const changed = Uint8Array.from(d);
      changed[i] ^= 0x10;
      const verdict = verifyAhDatagram(changed, KEY, unicast);
      if (mutable.has(i)) assert.equal(verdict.ok, true, `byte ${i} is mutable`);
      else if (i === 0) assert.equal(verdict.ok, false, 'version/IHL');
      else if (i === 21 || i === 9) assert.deepEqual(verdict, { ok: false, reason: 'length' }, `byte ${i} frames the AH header`);
      else if (i === 20) assert.equal(verdict.ok, false, 'next header');
      else assert.equal(verdict.ok, false, `byte ${i} is covered`);
    }
  };
  check(MULTICAST[0]!, false);
  check(UNICAST[0]!, true);
});

test('the SPI must be the source address (checked after the ICV, as keepalived does)', () => {
  // A datagram whose SPI is rewritten and whose ICV is then computed afresh: only the SPI check can catch it.
  const forged = Uint8Array.from(UNICAST[0]!);
  forged.set(encodeAhHeader({ ...decodeAhHeader(forged, 20)!, spi: 0x01020304 }), 20);
  forged.set(ahIcv(forged, 20, KEY, true), 32);
  assert.deepEqual(verifyAhDatagram(forged, KEY, true), { ok: false, reason: 'spi' });
});

test('the key is the first 8 bytes of auth_pass (keepalived truncates)', () => {
  assert.equal(hex(ahKey('secret12345')), hex(ahKey('secret12')));
  assert.equal(ahKey('secret').length, 6);
  const d = sealAhDatagram(MULTICAST[0]!.subarray(44), { source: SOURCE, destination: '224.0.0.18', ttl: 255, identification: 1, sequence: 1, key: ahKey('longpassword'), unicast: false });
  assert.equal(verifyAhDatagram(d, ahKey('longpass'), false).ok, true);
  assert.equal(verifyAhDatagram(d, ahKey('longpas'), false).ok, false);
});

test('openAhDatagram: too short, not AH, other AH lengths and other next headers', () => {
  const d = MULTICAST[0]!;
  assert.deepEqual(openAhDatagram(d.subarray(0, 43)), { ok: false, reason: 'length' });
  assert.deepEqual(openAhDatagram(d.subarray(0, 19)), { ok: false, reason: 'length' });
  const other = Uint8Array.from(d);
  other[20] = 6; // TCP inside AH: not ours
  assert.deepEqual(openAhDatagram(other), { ok: false, reason: 'not_vrrp' });
  const notAh = Uint8Array.from(d);
  notAh[9] = VRRP_PROTOCOL;
  assert.deepEqual(openAhDatagram(notAh), { ok: false, reason: 'length' });
  const longer = Uint8Array.from(d);
  longer[21] = 5;
  assert.deepEqual(openAhDatagram(longer), { ok: false, reason: 'length' });
});

test('AH header encode/decode round trip, unsigned 32-bit fields', () => {
  const h = { nextHeader: 112, payloadLength: 4, spi: 0xffffffff, sequence: 0x80000001, icv: Uint8Array.from({ length: 12 }, (_, i) => i + 1) };
  const back = decodeAhHeader(encodeAhHeader(h))!;
  assert.deepEqual({ ...back, icv: hex(back.icv) }, { ...h, icv: hex(h.icv) });
  assert.equal(decodeAhHeader(new Uint8Array(23)), undefined);
});
