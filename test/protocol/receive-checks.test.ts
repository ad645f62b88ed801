/** Per-instance receive checks (RFC 5798 §7.1, RFC 3768 §7.1, keepalived's differences): one test per reason. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAdvertisement, type InstanceExpectations, type ReceivedMeta } from '../../protocol/receive-checks.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';

const instance: InstanceExpectations = {
  version: 3,
  family: 4,
  priority: 100,
  intervalCs: 100,
  addresses: ['192.168.77.100'],
  authType: 0,
  authPassword: '',
  unicastPeers: [],
};
const v2instance: InstanceExpectations = { ...instance, version: 2, authType: 1, authPassword: 'secret' };
const meta: ReceivedMeta = { ttl: 255, multicast: true, source: '192.168.77.12', destination: '224.0.0.18' };
/** What a unicast instance receives: sent to its own address. */
const unicastMeta: ReceivedMeta = { ...meta, multicast: false, destination: '192.168.77.11' };
const adv: VrrpAdvertisement = { version: 3, vrid: 51, priority: 90, intervalCs: 100, family: 4, addresses: ['192.168.77.100'], authType: 0, authPassword: '' };
const v2adv: VrrpAdvertisement = { ...adv, version: 2, authType: 1, authPassword: 'secret' };

test('a matching advertisement is accepted (v3 and v2)', () => {
  assert.deepEqual(checkAdvertisement(meta, adv, instance), { accept: true });
  assert.deepEqual(checkAdvertisement(meta, v2adv, v2instance), { accept: true });
});

test('ttl: multicast with TTL ≠ 255 is dropped; unicast accepts any TTL (keepalived)', () => {
  assert.deepEqual(checkAdvertisement({ ...meta, ttl: 254 }, adv, instance), { drop: 'ttl' });
  assert.deepEqual(checkAdvertisement({ ...meta, ttl: 1 }, adv, instance), { drop: 'ttl' });
  const unicast = { ...instance, unicastPeers: ['192.168.77.12'] };
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, ttl: 64 }, adv, unicast), { accept: true });
});

test('version: v2 received by a v3 instance and the reverse', () => {
  assert.deepEqual(checkAdvertisement(meta, v2adv, instance), { drop: 'version' });
  assert.deepEqual(checkAdvertisement(meta, adv, v2instance), { drop: 'version' });
});

test('family: an IPv6 advertisement for an IPv4 instance', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, family: 6, addresses: ['fd77::100'] }, instance), { drop: 'family' });
});

test('unicast_peer: a stranger is heard unless check_unicast_src; with it, peers compare canonically', () => {
  const unicast = { ...instance, family: 6 as const, addresses: ['fd77::100'], unicastPeers: ['FD77:0:0::12'] };
  const a6 = { ...adv, family: 6 as const, addresses: ['fd77::100'] };
  const stranger = { ...unicastMeta, source: 'fd77::13', destination: 'fd77::11' };
  // keepalived 2.2.7: off unless set (check_unicast_src, vrrp_check_unicast_src, or a peer's min_ttl / max_ttl).
  assert.deepEqual(checkAdvertisement(stranger, a6, unicast), { accept: true });
  const checked = { ...unicast, checkUnicastSource: true };
  assert.deepEqual(checkAdvertisement(stranger, a6, checked), { drop: 'unicast_peer' });
  assert.deepEqual(checkAdvertisement({ ...stranger, source: 'fd77::12' }, a6, checked), { accept: true });
  // Multicast mode never asks.
  assert.deepEqual(checkAdvertisement({ ...meta, source: '192.168.77.99' }, adv, { ...instance, checkUnicastSource: true }), { accept: true });
});

test('unicast_peer min_ttl / max_ttl: the TTL must be in the range of the peer it came from', () => {
  const unicast: InstanceExpectations = {
    ...instance,
    unicastPeers: ['192.168.77.12', '192.168.77.13'],
    checkUnicastSource: true,
    unicastPeerTtls: [{ address: '192.168.77.12', minTtl: 60, maxTtl: 64 }],
  };
  const from12 = unicastMeta;
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: 59 }, adv, unicast), { drop: 'ttl' });
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: 60 }, adv, unicast), { accept: true });
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: 64 }, adv, unicast), { accept: true });
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: 65 }, adv, unicast), { drop: 'ttl' });
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: 255 }, adv, unicast), { drop: 'ttl' });
  // A peer without a range takes 0..255; an unknown TTL (-1) is not judged.
  assert.deepEqual(checkAdvertisement({ ...from12, source: '192.168.77.13', ttl: 0 }, adv, unicast), { accept: true });
  assert.deepEqual(checkAdvertisement({ ...from12, ttl: -1 }, adv, unicast), { accept: true });
});

test('v2 auth_type, auth (password, compared on 8 bytes) and interval', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authType: 0, authPassword: '' }, v2instance), { drop: 'auth_type' });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authPassword: 'secreT' }, v2instance), { drop: 'auth' });
  const long = { ...v2instance, authPassword: 'longpassword' };
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authPassword: 'longpass' }, long), { accept: true });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, intervalCs: 200 }, v2instance), { drop: 'interval' });
});

test('v3: a different interval is accepted (the backup learns it)', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, intervalCs: 250 }, instance), { accept: true });
});

test('owner: the address owner (255) discards advertisements', () => {
  assert.deepEqual(checkAdvertisement(meta, adv, { ...instance, priority: 255 }), { drop: 'owner' });
});

test('address_list: a different count or a missing address is dropped, as keepalived 2.2.7 (order does not matter)', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.101'] }, instance), { drop: 'address_list' });
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: [] }, instance), { drop: 'address_list' });
  const two = { ...instance, addresses: ['192.168.77.100', '192.168.77.101'] };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.101', '192.168.77.100'] }, two), { accept: true });
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.100', '192.168.77.100'] }, two), { drop: 'address_list' });
  // Configured text compares canonically.
  const v6 = { ...instance, family: 6 as const, addresses: ['FD77:0::100'] };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, family: 6, addresses: ['fd77::100'] }, v6), { accept: true });
});

test('skip_check_adv_addr: the checks it skips are the address list and the unicast source and its TTL range', () => {
  const skip = { ...meta, skipAddressCheck: true };
  assert.deepEqual(checkAdvertisement(skip, { ...adv, addresses: ['192.168.77.101'] }, instance), { accept: true });
  const unicast: InstanceExpectations = { ...instance, unicastPeers: ['192.168.77.13'], checkUnicastSource: true };
  assert.deepEqual(checkAdvertisement({ ...skip, multicast: false, destination: '192.168.77.11' }, adv, unicast), { accept: true });
  // Not the others: multicast TTL, version, interval, authentication, the owner.
  assert.deepEqual(checkAdvertisement({ ...skip, ttl: 254 }, adv, instance), { drop: 'ttl' });
  assert.deepEqual(checkAdvertisement(skip, { ...v2adv, intervalCs: 200 }, v2instance), { drop: 'interval' });
  assert.deepEqual(checkAdvertisement(skip, { ...v2adv, authPassword: 'other' }, v2instance), { drop: 'auth' });
  assert.deepEqual(checkAdvertisement(skip, adv, { ...instance, priority: 255 }), { drop: 'owner' });
});

test('destination: multicast mode drops what was sent to one of our addresses, unicast mode what was multicast (keepalived)', () => {
  assert.deepEqual(checkAdvertisement({ ...meta, destination: '192.168.77.11' }, adv, instance), { drop: 'destination' });
  const unicast = { ...instance, unicastPeers: ['192.168.77.12'] };
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, destination: '224.0.0.18' }, adv, unicast), { drop: 'destination' });
  const v6 = { ...instance, family: 6 as const, addresses: ['fd77::100'] };
  const a6 = { ...adv, family: 6 as const, addresses: ['fd77::100'] };
  assert.deepEqual(checkAdvertisement({ ...meta, source: 'fe80::12', destination: 'FF02::12' }, a6, v6), { accept: true });
  assert.deepEqual(checkAdvertisement({ ...meta, source: 'fe80::12', destination: 'fe80::11' }, a6, v6), { drop: 'destination' });
  // A link that cannot tell the destination ('') is not judged on it.
  assert.deepEqual(checkAdvertisement({ ...meta, destination: '' }, adv, instance), { accept: true });
});

test('strict mode or not, a different address list or count is dropped (RFC 3768 §7.1, keepalived 2.2.7)', () => {
  const v2 = { ...instance, version: 2 as const, authType: 0 as const };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.100', '192.168.77.101'] }, instance), { drop: 'address_list' });
  assert.deepEqual(checkAdvertisement(meta, { ...adv, version: 2, addresses: [] }, v2), { drop: 'address_list' });
});

test('strict mode has no authentication (finalize-vrrp.ts drops it): an advertisement carrying a password is dropped', () => {
  const strict = { ...instance, version: 2 as const };
  assert.deepEqual(checkAdvertisement(meta, v2adv, strict), { drop: 'auth_type' });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authType: 0, authPassword: '' }, strict), { accept: true });
});

// AH (auth type 2): keepalived's datagram from test/protocol/ipsec-ah.test.ts, sequence 1, priority 150.
const AH_DATAGRAM = new Uint8Array(
  Buffer.from('45c0004000010000ff33bf0dc0a85b01e000001270040000c0a85b01000000016a07950e1b330e6e18840d122133960102012abdc0a85b640000000000000000', 'hex'),
);
const ahInstance: InstanceExpectations = { ...instance, version: 2, addresses: ['192.168.91.100'], authType: 2, authPassword: 'secret' };
const ahAdv: VrrpAdvertisement = { ...adv, version: 2, priority: 150, addresses: ['192.168.91.100'], authType: 2, authPassword: '' };
const ahMeta: ReceivedMeta = { ttl: 255, multicast: true, source: '192.168.91.1', destination: '224.0.0.18', datagram: AH_DATAGRAM };

test('AH: a good datagram is accepted with its sequence number', () => {
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance), { accept: true, ahSequence: 1 });
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance, { sequence: 0, cycled: false }), { accept: true, ahSequence: 1 });
});

test('AH: a wrong password is an authentication failure (ICV mismatch)', () => {
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, { ...ahInstance, authPassword: 'Secret' }), { drop: 'auth' });
  // A byte changed on the way is the same failure.
  const changed = Uint8Array.from(AH_DATAGRAM);
  changed[50] ^= 1;
  assert.deepEqual(checkAdvertisement({ ...ahMeta, datagram: changed }, ahAdv, ahInstance), { drop: 'auth' });
});

test('AH: a sequence number not above the counter is a replay', () => {
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance, { sequence: 1, cycled: false }), { drop: 'auth_replay' });
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance, { sequence: 7, cycled: false }), { drop: 'auth_replay' });
});

test('AH: a header where none is expected, or none where one is, is an authentication type mismatch', () => {
  assert.deepEqual(checkAdvertisement({ ...ahMeta, datagram: undefined }, ahAdv, ahInstance), { drop: 'auth_type' });
  assert.deepEqual(checkAdvertisement(ahMeta, { ...ahAdv, authType: 0 }, { ...ahInstance, authType: 0 }), { drop: 'auth_type' });
  // The VRRP header saying something else than AH inside a good AH datagram.
  assert.deepEqual(checkAdvertisement(ahMeta, { ...ahAdv, authType: 1 }, ahInstance), { drop: 'auth_type' });
});

test('AH: checks after authentication still drop, but the sequence number has been taken (keepalived)', () => {
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, { ...ahInstance, intervalCs: 200 }), { drop: 'interval', ahSequence: 1 });
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, { ...ahInstance, priority: 255 }), { drop: 'owner', ahSequence: 1 });
  // Before authentication nothing is taken: a wrong TTL in multicast.
  assert.deepEqual(checkAdvertisement({ ...ahMeta, ttl: 254 }, ahAdv, ahInstance), { drop: 'ttl' });
});
