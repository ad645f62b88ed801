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
  strict: false,
};
const v2instance: InstanceExpectations = { ...instance, version: 2, authType: 1, authPassword: 'secret' };
const meta: ReceivedMeta = { ttl: 255, multicast: true, source: '192.168.77.12', destination: '224.0.0.18' };
/** What a unicast instance receives: sent to its own address. */
const unicastMeta: ReceivedMeta = { ...meta, multicast: false, destination: '192.168.77.11' };
const adv: VrrpAdvertisement = { version: 3, vrid: 51, priority: 90, intervalCs: 100, family: 4, addresses: ['192.168.77.100'], authType: 0, authPassword: '' };
const v2adv: VrrpAdvertisement = { ...adv, version: 2, authType: 1, authPassword: 'secret' };

test('a matching advertisement is accepted without warnings (v3 and v2)', () => {
  assert.deepEqual(checkAdvertisement(meta, adv, instance), { accept: true, warnings: [] });
  assert.deepEqual(checkAdvertisement(meta, v2adv, v2instance), { accept: true, warnings: [] });
});

test('ttl: multicast with TTL ≠ 255 is dropped; unicast accepts any TTL (keepalived)', () => {
  assert.deepEqual(checkAdvertisement({ ...meta, ttl: 254 }, adv, instance), { drop: 'ttl' });
  assert.deepEqual(checkAdvertisement({ ...meta, ttl: 1 }, adv, instance), { drop: 'ttl' });
  const unicast = { ...instance, unicastPeers: ['192.168.77.12'] };
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, ttl: 64 }, adv, unicast), { accept: true, warnings: [] });
});

test('version: v2 received by a v3 instance and the reverse', () => {
  assert.deepEqual(checkAdvertisement(meta, v2adv, instance), { drop: 'version' });
  assert.deepEqual(checkAdvertisement(meta, adv, v2instance), { drop: 'version' });
});

test('family: an IPv6 advertisement for an IPv4 instance', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, family: 6, addresses: ['fd77::100'] }, instance), { drop: 'family' });
});

test('unicast_peer: in unicast mode a source that is not a peer is dropped; peers compare canonically', () => {
  const unicast = { ...instance, family: 6 as const, addresses: ['fd77::100'], unicastPeers: ['FD77:0:0::12'] };
  const a6 = { ...adv, family: 6 as const, addresses: ['fd77::100'] };
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, source: 'fd77::13', destination: 'fd77::11' }, a6, unicast), { drop: 'unicast_peer' });
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, source: 'fd77::12', destination: 'fd77::11' }, a6, unicast), { accept: true, warnings: [] });
});

test('v2 auth_type, auth (password, compared on 8 bytes) and interval', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authType: 0, authPassword: '' }, v2instance), { drop: 'auth_type' });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authPassword: 'secreT' }, v2instance), { drop: 'auth' });
  const long = { ...v2instance, authPassword: 'longpassword' };
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authPassword: 'longpass' }, long), { accept: true, warnings: [] });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, intervalCs: 200 }, v2instance), { drop: 'interval' });
});

test('v3: a different interval is accepted (the backup learns it)', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, intervalCs: 250 }, instance), { accept: true, warnings: [] });
});

test('owner: the address owner (255) discards advertisements', () => {
  assert.deepEqual(checkAdvertisement(meta, adv, { ...instance, priority: 255 }), { drop: 'owner' });
});

test('address_list: a different list or count is a warning, never a drop (order does not matter)', () => {
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.101'] }, instance), { accept: true, warnings: ['address_list'] });
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: [] }, instance), { accept: true, warnings: ['address_list'] });
  const two = { ...instance, addresses: ['192.168.77.100', '192.168.77.101'] };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.101', '192.168.77.100'] }, two), { accept: true, warnings: [] });
});

test('destination: multicast mode drops what was sent to one of our addresses, unicast mode what was multicast (keepalived)', () => {
  assert.deepEqual(checkAdvertisement({ ...meta, destination: '192.168.77.11' }, adv, instance), { drop: 'destination' });
  const unicast = { ...instance, unicastPeers: ['192.168.77.12'] };
  assert.deepEqual(checkAdvertisement({ ...unicastMeta, destination: '224.0.0.18' }, adv, unicast), { drop: 'destination' });
  const v6 = { ...instance, family: 6 as const, addresses: ['fd77::100'] };
  const a6 = { ...adv, family: 6 as const, addresses: ['fd77::100'] };
  assert.deepEqual(checkAdvertisement({ ...meta, source: 'fe80::12', destination: 'FF02::12' }, a6, v6), { accept: true, warnings: [] });
  assert.deepEqual(checkAdvertisement({ ...meta, source: 'fe80::12', destination: 'fe80::11' }, a6, v6), { drop: 'destination' });
  // A link that cannot tell the destination ('') is not judged on it.
  assert.deepEqual(checkAdvertisement({ ...meta, destination: '' }, adv, instance), { accept: true, warnings: [] });
});

test('strict mode: a different address list or count is dropped (RFC 3768 §7.1, keepalived 2.2.7); the same list is not', () => {
  const strict = { ...instance, strict: true };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.101'] }, strict), { drop: 'address_list' });
  assert.deepEqual(checkAdvertisement(meta, { ...adv, addresses: ['192.168.77.100', '192.168.77.101'] }, strict), { drop: 'address_list' });
  assert.deepEqual(checkAdvertisement(meta, adv, strict), { accept: true, warnings: [] });
  const v2strict = { ...strict, version: 2 as const, authType: 0 as const };
  assert.deepEqual(checkAdvertisement(meta, { ...adv, version: 2, addresses: [] }, v2strict), { drop: 'address_list' });
});

test('strict mode has no authentication (finalize-vrrp.ts drops it): an advertisement carrying a password is dropped', () => {
  const strict = { ...instance, version: 2 as const, strict: true };
  assert.deepEqual(checkAdvertisement(meta, v2adv, strict), { drop: 'auth_type' });
  assert.deepEqual(checkAdvertisement(meta, { ...v2adv, authType: 0, authPassword: '' }, strict), { accept: true, warnings: [] });
});

// AH (auth type 2): keepalived's datagram from test/protocol/ipsec-ah.test.ts, sequence 1, priority 150.
const AH_DATAGRAM = new Uint8Array(
  Buffer.from('45c0004000010000ff33bf0dc0a85b01e000001270040000c0a85b01000000016a07950e1b330e6e18840d122133960102012abdc0a85b640000000000000000', 'hex'),
);
const ahInstance: InstanceExpectations = { ...instance, version: 2, addresses: ['192.168.91.100'], authType: 2, authPassword: 'secret' };
const ahAdv: VrrpAdvertisement = { ...adv, version: 2, priority: 150, addresses: ['192.168.91.100'], authType: 2, authPassword: '' };
const ahMeta: ReceivedMeta = { ttl: 255, multicast: true, source: '192.168.91.1', destination: '224.0.0.18', datagram: AH_DATAGRAM };

test('AH: a good datagram is accepted with its sequence number', () => {
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance), { accept: true, warnings: [], ahSequence: 1 });
  assert.deepEqual(checkAdvertisement(ahMeta, ahAdv, ahInstance, { sequence: 0, cycled: false }), { accept: true, warnings: [], ahSequence: 1 });
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
