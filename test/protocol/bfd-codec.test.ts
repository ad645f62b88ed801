/**
 * BFD control packets (RFC 5880 §4.1) against byte vectors: hand-derived from the RFC's layout, and captured
 * from keepalived 2.2.7's BFD child on the wire (a session in Down at its 1 s idle rate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeBfdControl, encodeBfdControl } from '../../protocol/bfd-codec.js';
import { signBfdControl, verifyBfdAuth, UNKNOWN_SEQUENCE, type BfdAuthConfig } from '../../protocol/bfd-auth.js';
import { checkBfdForSession, checkBfdPacket } from '../../protocol/bfd-reception.js';
import { BFD_STATE, type BfdControlPacket } from '../../protocol/bfd-types.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const BASE: BfdControlPacket = {
  version: 1,
  diag: 0,
  state: BFD_STATE.Up,
  poll: true,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  multipoint: false,
  detectMult: 3,
  myDiscriminator: 1,
  yourDiscriminator: 2,
  desiredMinTxUs: 10_000,
  requiredMinRxUs: 10_000,
  requiredMinEchoRxUs: 0,
};

function decoded(bytes: Uint8Array): BfdControlPacket {
  const r = decodeBfdControl(bytes);
  assert.ok(r.ok, `decodes: ${r.ok ? '' : r.reason}`);
  return r.packet;
}

test('hand-derived: Vers 1 Diag 0 | Sta Up, P | mult 3 | len 24 | discriminators | 10 ms intervals', () => {
  const bytes = hex('20e00318 00000001 00000002 00002710 00002710 00000000');
  assert.equal(toHex(encodeBfdControl(BASE)), toHex(bytes));
  assert.deepEqual(decoded(bytes), { ...BASE, auth: undefined });
});

test('hand-derived: every flag bit and the Diag field land where RFC 5880 §4.1 puts them', () => {
  // Diag 8 (Reverse Concatenated Path Down) in the low 5 bits; Sta Init = 10b; F C D M; no P, no A.
  const p: BfdControlPacket = { ...BASE, diag: 8, state: BFD_STATE.Init, poll: false, final: true, controlPlaneIndependent: true, demand: true, multipoint: true, detectMult: 255, myDiscriminator: 0xfedcba98, yourDiscriminator: 0x01020304, desiredMinTxUs: 0xffffffff, requiredMinRxUs: 1, requiredMinEchoRxUs: 50_000 };
  const bytes = hex('28 9b ff 18 fedcba98 01020304 ffffffff 00000001 0000c350');
  assert.equal(toHex(encodeBfdControl(p)), toHex(bytes));
  assert.deepEqual(decoded(bytes), { ...p, auth: undefined });
});

test('captured from keepalived 2.2.7: Down, no diag, mult 3, idle 1 s TX, 10 ms RX, Your Discriminator 0', () => {
  // UDP payload of 192.168.77.201:58806 > 192.168.77.202:3784, TTL 255, keepalived -b with min_rx/min_tx 10.
  const bytes = hex('20400318 28c81fca 00000000 000f4240 00002710 00000000');
  const p = decoded(bytes);
  assert.equal(p.state, BFD_STATE.Down);
  assert.equal(p.detectMult, 3);
  assert.equal(p.myDiscriminator, 0x28c81fca);
  assert.equal(p.yourDiscriminator, 0);
  assert.equal(p.desiredMinTxUs, 1_000_000);
  assert.equal(p.requiredMinRxUs, 10_000);
  assert.equal(p.poll || p.final || p.demand || p.multipoint || p.controlPlaneIndependent, false);
  assert.equal(checkBfdPacket(p), undefined, 'a Down packet may have Your Discriminator 0');
  assert.equal(toHex(encodeBfdControl(p)), toHex(bytes));
});

test('hand-derived: Simple Password section (RFC 5880 §4.2): type 1, Auth Len 3 + password, Key ID', () => {
  const p: BfdControlPacket = { ...BASE, poll: false, auth: { type: 'simple-password', keyId: 5, password: new TextEncoder().encode('secret') } };
  const bytes = hex('20c40321 00000001 00000002 00002710 00002710 00000000 01 09 05 736563726574');
  assert.equal(toHex(encodeBfdControl(p)), toHex(bytes));
  assert.deepEqual(decoded(bytes), p);
});

test('hand-derived: Keyed MD5 (§4.3) and Keyed SHA1 (§4.4): digest over the packet with the key in its place', () => {
  const key = new TextEncoder().encode('k3y');
  for (const [type, code, authLen, size, hash] of [
    ['keyed-md5', 2, 24, 16, 'md5'],
    ['meticulous-keyed-md5', 3, 24, 16, 'md5'],
    ['keyed-sha1', 4, 28, 20, 'sha1'],
    ['meticulous-keyed-sha1', 5, 28, 20, 'sha1'],
  ] as const) {
    const length = 24 + authLen;
    // The packet as the RFC lays it out, with the zero-padded key where the digest goes.
    const withKey = hex(`20c403${length.toString(16)} 00000001 00000002 00002710 00002710 00000000 0${code} ${authLen.toString(16)} 07 00 0000002a`);
    const padded = new Uint8Array(size);
    padded.set(key);
    const input = new Uint8Array([...withKey, ...padded]);
    const digest = createHash(hash).update(input).digest();
    const expected = new Uint8Array([...withKey, ...digest]);
    const config: BfdAuthConfig = { type, keys: [{ keyId: 7, secret: key }] };
    const signed = signBfdControl({ ...BASE, poll: false }, config, 42);
    assert.equal(toHex(encodeBfdControl(signed)), toHex(expected), type);
    const back = decoded(expected);
    assert.deepEqual(back, signed);
    const verdict = verifyBfdAuth(back, config, UNKNOWN_SEQUENCE, 3);
    assert.deepEqual(verdict, { ok: true, sequence: { known: true, received: 42 } }, type);
    // A flipped bit anywhere in the packet fails the digest.
    const tampered = Uint8Array.from(expected);
    tampered[13] ^= 0x01;
    assert.deepEqual(verifyBfdAuth(decoded(tampered), config, UNKNOWN_SEQUENCE, 3), { ok: false }, `${type} tampered`);
    // A wrong key fails too.
    assert.deepEqual(verifyBfdAuth(back, { type, keys: [{ keyId: 7, secret: new TextEncoder().encode('other') }] }, UNKNOWN_SEQUENCE, 3), { ok: false });
  }
});

test('sequence window (§6.7.3): keyed accepts the same number again, meticulous only a later one, within 3 × Detect Mult', () => {
  const key = { keyId: 1, secret: new TextEncoder().encode('x') };
  const at = (type: 'keyed-md5' | 'meticulous-keyed-sha1', seq: number, last: number): boolean =>
    verifyBfdAuth(signBfdControl(BASE, { type, keys: [key] }, seq), { type, keys: [key] }, { known: true, received: last }, 3).ok;
  assert.equal(at('keyed-md5', 100, 100), true);
  assert.equal(at('keyed-md5', 109, 100), true);
  assert.equal(at('keyed-md5', 110, 100), false);
  assert.equal(at('keyed-md5', 99, 100), false);
  assert.equal(at('meticulous-keyed-sha1', 100, 100), false);
  assert.equal(at('meticulous-keyed-sha1', 101, 100), true);
  assert.equal(at('meticulous-keyed-sha1', 109, 100), true);
  assert.equal(at('meticulous-keyed-sha1', 110, 100), false);
  // Wrapping at 2^32.
  assert.equal(at('meticulous-keyed-sha1', 2, 0xffffffff), true);
  assert.equal(at('keyed-md5', 0, 0xfffffffe), true);
});

test('simple password: Key ID and password must match', () => {
  const config: BfdAuthConfig = { type: 'simple-password', keys: [{ keyId: 5, secret: new TextEncoder().encode('secret') }] };
  const p = decoded(encodeBfdControl(signBfdControl(BASE, config, 0)));
  assert.equal(verifyBfdAuth(p, config, UNKNOWN_SEQUENCE, 3).ok, true);
  assert.equal(verifyBfdAuth(p, { ...config, keys: [{ keyId: 6, secret: new TextEncoder().encode('secret') }] }, UNKNOWN_SEQUENCE, 3).ok, false);
  assert.equal(verifyBfdAuth(p, { ...config, keys: [{ keyId: 5, secret: new TextEncoder().encode('secreT') }] }, UNKNOWN_SEQUENCE, 3).ok, false);
  assert.equal(verifyBfdAuth(p, { type: 'keyed-md5', keys: config.keys }, UNKNOWN_SEQUENCE, 3).ok, false, 'another Auth Type');
});

test('structural drops: short, version, Length against the payload, A without room, bad auth sections', () => {
  const good = encodeBfdControl(BASE);
  const reason = (b: Uint8Array): string => {
    const r = decodeBfdControl(b);
    return r.ok ? 'ok' : r.reason;
  };
  assert.equal(reason(good.subarray(0, 23)), 'length');
  const v2 = Uint8Array.from(good);
  v2[0] = 0x40;
  assert.equal(reason(v2), 'version');
  const v0 = Uint8Array.from(good);
  v0[0] = 0x00;
  assert.equal(reason(v0), 'version');
  assert.equal(reason(new Uint8Array([...good, 0])), 'length', 'Length shorter than the payload (keepalived)');
  const longer = Uint8Array.from(good);
  longer[3] = 25;
  assert.equal(reason(longer), 'length', 'Length greater than the payload (§6.8.6)');
  const aBitNoRoom = Uint8Array.from(good);
  aBitNoRoom[1] |= 0x04;
  assert.equal(reason(aBitNoRoom), 'length', 'A set needs at least 26 bytes');
  const unknownType = hex('20c4031b 00000001 00000002 00002710 00002710 00000000 06 03 01');
  assert.equal(reason(unknownType), 'auth_type');
  const md5Short = hex('20c4031b 00000001 00000002 00002710 00002710 00000000 02 03 01');
  assert.equal(reason(md5Short), 'auth_length');
  const lenMismatch = hex('20c4031c 00000001 00000002 00002710 00002710 00000000 01 05 01 41');
  assert.equal(reason(lenMismatch), 'auth_length', 'Auth Len past the packet');
});

test('§6.8.6 packet checks, in order, and keepalived\'s extra two', () => {
  assert.equal(checkBfdPacket(BASE), undefined);
  assert.equal(checkBfdPacket({ ...BASE, detectMult: 0 }), 'detect_mult');
  assert.equal(checkBfdPacket({ ...BASE, multipoint: true }), 'multipoint');
  assert.equal(checkBfdPacket({ ...BASE, myDiscriminator: 0 }), 'my_discriminator');
  assert.equal(checkBfdPacket({ ...BASE, yourDiscriminator: 0 }), 'your_discriminator');
  assert.equal(checkBfdPacket({ ...BASE, yourDiscriminator: 0, state: BFD_STATE.Init }), 'your_discriminator');
  assert.equal(checkBfdPacket({ ...BASE, yourDiscriminator: 0, state: BFD_STATE.Down }), undefined);
  assert.equal(checkBfdPacket({ ...BASE, yourDiscriminator: 0, state: BFD_STATE.AdminDown }), undefined);
  assert.equal(checkBfdPacket({ ...BASE, poll: true, final: true }), 'poll_final');
  assert.equal(checkBfdPacket({ ...BASE, diag: 9 }), 'diag');
});

test('session checks: GTSM TTL, A bit against the session, authentication', () => {
  const ctx = { ttl: 255, minTtl: 255, authSequence: UNKNOWN_SEQUENCE, localDetectMult: 3 };
  assert.deepEqual(checkBfdForSession(BASE, ctx), { ok: true, authSequence: UNKNOWN_SEQUENCE });
  assert.deepEqual(checkBfdForSession(BASE, { ...ctx, ttl: 254 }), { ok: false, reason: 'ttl' });
  assert.equal(checkBfdForSession(BASE, { ...ctx, ttl: 253, minTtl: 253 }).ok, true, 'max_hops 2');
  assert.equal(checkBfdForSession(BASE, { ...ctx, ttl: 1, minTtl: undefined }).ok, true, 'max_hops 255: not checked');
  assert.equal(checkBfdForSession(BASE, { ...ctx, ttl: undefined }).ok, true, 'no TTL known: not judged (keepalived)');
  const config: BfdAuthConfig = { type: 'keyed-sha1', keys: [{ keyId: 1, secret: new TextEncoder().encode('s') }] };
  const signed = signBfdControl(BASE, config, 7);
  assert.deepEqual(checkBfdForSession(signed, ctx), { ok: false, reason: 'auth_unexpected' }, 'rejected unless configured');
  assert.deepEqual(checkBfdForSession(BASE, { ...ctx, auth: config }), { ok: false, reason: 'auth_missing' });
  assert.deepEqual(checkBfdForSession(signed, { ...ctx, auth: config }), { ok: true, authSequence: { known: true, received: 7 } });
  assert.deepEqual(checkBfdForSession(signed, { ...ctx, auth: config, authSequence: { known: true, received: 8 } }), { ok: false, reason: 'auth' });
});
