/**
 * The VRRP wire format: known-good byte vectors (computed independently of this codec, from the RFC layouts),
 * round trips, and every decoder drop reason (RFC 5798 §5.2, §7.1; RFC 3768 §5.3, §7.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAdvertisement, encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { canonicalIp } from '../../protocol/ip.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function adv(over: Partial<VrrpAdvertisement>): VrrpAdvertisement {
  return { version: 3, vrid: 51, priority: 100, intervalCs: 100, family: 4, addresses: ['192.168.77.100'], authType: 0, authPassword: '', ...over };
}

const VECTORS: { name: string; adv: VrrpAdvertisement; source: string; destination: string; checksumGroup?: string; hex: string }[] = [
  { name: 'v3 IPv4 multicast', adv: adv({}), source: '192.168.77.11', destination: '224.0.0.18', hex: '3133640100646e17c0a84d64' },
  {
    // keepalived's old unicast checksum: the pseudo-header names 224.0.0.18, not the peer (the standard one is 4075).
    name: 'v3 IPv4 unicast with the old unicast checksum',
    adv: adv({}),
    source: '192.168.77.11',
    destination: '192.168.77.12',
    checksumGroup: '224.0.0.18',
    hex: '3133640100646e17c0a84d64',
  },
  {
    name: 'v3 IPv4 unicast, two addresses',
    adv: adv({ addresses: ['192.168.77.100', '192.168.77.101'] }),
    source: '192.168.77.11',
    destination: '192.168.77.12',
    hex: '3133640200643262c0a84d64c0a84d65',
  },
  {
    name: 'v3 IPv6',
    adv: adv({ vrid: 7, priority: 200, intervalCs: 150, family: 6, addresses: ['fd77::100'] }),
    source: 'fe80::1',
    destination: 'ff02::12',
    hex: '3107c801009609cafd770000000000000000000000000100',
  },
  {
    name: 'v2 PASS',
    adv: adv({ version: 2, priority: 150, authType: 1, authPassword: 's3cret' }),
    source: '192.168.77.11',
    destination: '224.0.0.18',
    hex: '213396010101fda2c0a84d647333637265740000',
  },
  {
    name: 'v2 no authentication, owner, 3 s',
    adv: adv({ version: 2, vrid: 1, priority: 255, intervalCs: 300, addresses: ['192.168.77.100', '192.168.77.101'] }),
    source: '192.168.77.11',
    destination: '224.0.0.18',
    hex: '2101ff020003c3ddc0a84d64c0a84d650000000000000000',
  },
];

for (const v of VECTORS) {
  test(`byte vector: ${v.name}`, () => {
    const encoded = encodeAdvertisement(v.adv, { source: v.source, destination: v.destination, checksumDestination: v.checksumGroup });
    assert.equal(hex(encoded), v.hex);
    const decoded = decodeAdvertisement(bytes(v.hex), { family: v.adv.family, source: v.source, destination: v.destination, oldChecksumGroup: v.checksumGroup });
    assert.deepEqual(decoded, v.checksumGroup ? { ok: true, advertisement: v.adv, oldChecksum: 'only' } : { ok: true, advertisement: v.adv });
  });
}

test("keepalived's old unicast checksum: taken only when the group is given; both ways for a packet sent to the group; never the v2 form", () => {
  const ctx = { family: 4 as const, source: '192.168.77.11', destination: '192.168.77.12' };
  const old = bytes('3133640100646e17c0a84d64');
  assert.deepEqual(decodeAdvertisement(old, ctx), { ok: false, reason: 'checksum' });
  assert.deepEqual(decodeAdvertisement(old, { ...ctx, oldChecksumGroup: '224.0.0.19' }), { ok: false, reason: 'checksum' });
  const standard = encodeAdvertisement(adv({}), ctx);
  assert.equal(hex(standard), '3133640100644075c0a84d64');
  assert.deepEqual(decodeAdvertisement(standard, { ...ctx, oldChecksumGroup: '224.0.0.18' }), { ok: true, advertisement: adv({}) });
  const multicast = { ...ctx, destination: '224.0.0.18', oldChecksumGroup: '224.0.0.18' };
  assert.deepEqual(decodeAdvertisement(old, multicast), { ok: true, advertisement: adv({}), oldChecksum: 'also' });
  // The checksum over the VRRP message alone (no pseudo-header): no keepalived sends it for v3, none takes it.
  assert.deepEqual(decodeAdvertisement(bytes('3133640100645c5ac0a84d64'), { ...multicast, destination: '224.0.0.18' }), { ok: false, reason: 'checksum' });
});

test('v3 checksum covers the pseudo-header: the same bytes from another source fail', () => {
  const encoded = encodeAdvertisement(adv({ family: 6, addresses: ['fd77::100'] }), { source: 'fe80::1', destination: 'ff02::12' });
  assert.deepEqual(decodeAdvertisement(encoded, { family: 6, source: 'fe80::2', destination: 'ff02::12' }), { ok: false, reason: 'checksum' });
});

test('v2 password longer than 8 bytes is cut to 8 on the wire', () => {
  const encoded = encodeAdvertisement(adv({ version: 2, authType: 1, authPassword: 'abcdefghijk' }), { source: '192.168.77.11', destination: '224.0.0.18' });
  const decoded = decodeAdvertisement(encoded, { family: 4, source: '192.168.77.11', destination: '224.0.0.18' });
  assert.ok(decoded.ok && decoded.advertisement.authPassword === 'abcdefgh');
});

test('v3 intervals are 12 bits: 40.95 s at most', () => {
  const encoded = encodeAdvertisement(adv({ intervalCs: 10_000 }), { source: '192.168.77.11', destination: '224.0.0.18' });
  const decoded = decodeAdvertisement(encoded, { family: 4, source: '192.168.77.11', destination: '224.0.0.18' });
  assert.ok(decoded.ok && decoded.advertisement.intervalCs === 4095);
});

const ctx4 = { family: 4 as const, source: '192.168.77.11', destination: '224.0.0.18' };
const good = (): Uint8Array => bytes('3133640100646e17c0a84d64');


test('drop reasons from the decoder: length, version, type, checksum, auth_type', () => {
  const cases: [string, Uint8Array, { family: 4 | 6; source: string; destination: string }, string][] = [
    ['shorter than the header', good().subarray(0, 7), ctx4, 'length'],
    ['shorter than header plus addresses', good().subarray(0, 11), ctx4, 'length'],
    ['count says two addresses, one present', Object.assign(good(), { 3: 2 }), ctx4, 'length'],
    ['version 4', Object.assign(good(), { 0: 0x41 }), ctx4, 'version'],
    ['version 1', Object.assign(good(), { 0: 0x11 }), ctx4, 'version'],
    ['v2 over IPv6', bytes('213396010101fda2c0a84d647333637265740000'.padEnd(2 * 28, '0')), { family: 6, source: 'fe80::1', destination: 'ff02::12' }, 'version'],
    ['type 2', Object.assign(good(), { 0: 0x32 }), ctx4, 'type'],
    ['priority byte flipped', Object.assign(good(), { 2: 101 }), ctx4, 'checksum'],
    ['address byte flipped', Object.assign(good(), { 11: 0x65 }), ctx4, 'checksum'],
    ['v2 auth type 3', Object.assign(bytes('213396010101fda2c0a84d647333637265740000'), { 4: 3, 6: 0xfb }), ctx4, 'auth_type'],
  ];
  for (const [label, packet, ctx, reason] of cases) {
    assert.deepEqual(decodeAdvertisement(packet, ctx), { ok: false, reason }, label);
  }
});

const arbAdvertisement = fc.oneof(
  fc.record({
    version: fc.constant(3 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    intervalCs: fc.integer({ min: 1, max: 4095 }),
    family: fc.constant(4 as const),
    addresses: fc.array(fc.ipV4(), { maxLength: 20 }),
    authType: fc.constant(0 as const),
    authPassword: fc.constant(''),
  }),
  fc.record({
    version: fc.constant(3 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    intervalCs: fc.integer({ min: 1, max: 4095 }),
    family: fc.constant(6 as const),
    addresses: fc.array(fc.integer({ min: 0, max: 0xffff }).map((n) => `fd77::${n.toString(16)}`), { maxLength: 10 }),
    authType: fc.constant(0 as const),
    authPassword: fc.constant(''),
  }),
  fc.record({
    version: fc.constant(2 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    intervalCs: fc.integer({ min: 1, max: 255 }).map((s) => s * 100),
    family: fc.constant(4 as const),
    addresses: fc.array(fc.ipV4(), { maxLength: 20 }),
    authType: fc.constantFrom(0 as const, 1 as const),
    authPassword: fc.stringMatching(/^[a-z0-9]{1,8}$/),
  }).map((a) => (a.authType === 0 ? { ...a, authPassword: '' } : a)),
);

test('round trip: decode(encode(a)) = a for v2 and v3, IPv4 and IPv6', () => {
  fc.assert(
    fc.property(arbAdvertisement, (a) => {
      const ctx = a.family === 4 ? { source: '192.168.77.11', destination: '224.0.0.18' } : { source: 'fe80::1', destination: 'ff02::12' };
      const decoded = decodeAdvertisement(encodeAdvertisement(a, ctx), { family: a.family, ...ctx });
      const canonical = a.addresses.map((x) => canonicalIp(x));
      assert.deepEqual(decoded, { ok: true, advertisement: { ...a, addresses: canonical } });
    }),
    { numRuns: 2000, seed: 5798 },
  );
});

/** The password field as keepalived compares it, with nothing cached: trailing NULs are padding; not UTF-8 is never equal. */
function referencePassword(field: Uint8Array): string | undefined {
  let end = field.length;
  while (end > 0 && field[end - 1] === 0) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(field.subarray(0, end));
  } catch {
    return undefined;
  }
}

test('v2 password field: decoded as keepalived compares it, the same again when it comes again (the decoder caches the text)', () => {
  const v2 = (field: Uint8Array): Uint8Array => {
    const packet = bytes('213396010101fda2c0a84d647333637265740000');
    packet.set(field, 12);
    packet[6] = 0;
    packet[7] = 0;
    let sum = 0;
    for (let i = 0; i < packet.length; i += 2) sum += (packet[i]! << 8) | packet[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    packet[6] = (~sum >> 8) & 0xff;
    packet[7] = ~sum & 0xff;
    return packet;
  };
  // Fields that share their first or last four bytes, NULs inside and at the end, bytes that are not UTF-8.
  const fields = fc.oneof(
    fc.uint8Array({ minLength: 8, maxLength: 8 }),
    fc.constantFrom(...['secret\0\0', 'secrets\0', 'secr\0\0\0x', 'secrxxxx', 'xxxxet\0\0', '\0\0\0\0\0\0\0\0'].map((s) => new Uint8Array(Buffer.from(s, 'latin1')))),
  );
  fc.assert(
    fc.property(fc.array(fields, { minLength: 1, maxLength: 6 }), (list) => {
      for (const field of [...list, ...list]) {
        const decoded = decodeAdvertisement(v2(field), ctx4);
        const expected = referencePassword(field);
        if (expected === undefined) assert.deepEqual(decoded, { ok: false, reason: 'auth' });
        else assert.ok(decoded.ok && decoded.advertisement.authPassword === expected, `${Buffer.from(field).toString('hex')}: ${JSON.stringify(decoded)}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('a dropped packet costs no object of its own: every drop for one reason is the one frozen result', () => {
  const a = decodeAdvertisement(Object.assign(good(), { 2: 101 }), ctx4);
  const b = decodeAdvertisement(Object.assign(good(), { 11: 0x65 }), ctx4);
  assert.deepEqual(a, { ok: false, reason: 'checksum' });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
});
