/**
 * Fuzzing the BFD decoder and the §6.8.6 checks: 120,000 random and mutated packets per run. Nothing throws;
 * every rejected packet carries a known drop reason; every accepted one re-encodes to the very same bytes (so the
 * decoder never accepts something it misread). The seed is printed: VIGIL_FUZZ_SEED=N replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBfdControl, encodeBfdControl } from '../../protocol/bfd-codec.js';
import { checkBfdForSession, checkBfdPacket } from '../../protocol/bfd-reception.js';
import { UNKNOWN_SEQUENCE } from '../../protocol/bfd-auth.js';
import { BFD_DROP_REASONS, type BfdDropReason } from '../../protocol/bfd-types.js';
import { fuzzRandom } from './fuzz-random.js';

const REASONS: ReadonlySet<BfdDropReason> = new Set(BFD_DROP_REASONS);

const SEEDS: string[] = [
  '20400318 28c81fca 00000000 000f4240 00002710 00000000', // keepalived 2.2.7, Down
  '20e00318 00000001 00000002 00002710 00002710 00000000', // Up, Poll
  '20c40321 00000001 00000002 00002710 00002710 00000000 01 09 05 736563726574', // simple password
  '20c40330 00000001 00000002 00002710 00002710 00000000 02 18 07 00 0000002a 00112233445566778899aabbccddeeff', // keyed MD5
  '20c40334 00000001 00000002 00002710 00002710 00000000 05 1c 07 00 0000002a 00112233445566778899aabbccddeeff00112233', // meticulous SHA1
].map((s) => s.replace(/\s+/g, ''));

test('fuzz: 120,000 random and mutated BFD packets never throw, and every verdict is sound', () => {
  const { rnd, int } = fuzzRandom();
  const reasons = new Map<string, number>();
  let accepted = 0;
  for (let i = 0; i < 120_000; i++) {
    let packet: Uint8Array;
    if (i % 3 === 0) {
      packet = new Uint8Array(int(64));
      for (let j = 0; j < packet.length; j++) packet[j] = int(256);
      // Bias towards plausible headers so that later checks are reached too.
      if (packet.length > 3 && rnd.next() < 0.7) {
        packet[0] = (1 << 5) | (packet[0]! & 0x1f);
        if (rnd.next() < 0.5) packet = packet.subarray(0, 24 + (packet[1]! & 0x04 ? int(40) : 0));
        if (rnd.next() < 0.7) packet[3] = packet.length;
      }
    } else {
      packet = new Uint8Array(Buffer.from(SEEDS[int(SEEDS.length)]!, 'hex'));
      for (let m = 1 + int(3); m > 0; m--) {
        const what = int(6);
        if (what === 0 && packet.length > 0) packet[int(packet.length)] ^= 1 << int(8);
        else if (what === 1) packet = packet.subarray(0, int(packet.length + 1));
        else if (what === 2) packet = Uint8Array.from([...packet, ...Array.from({ length: 1 + int(20) }, () => int(256))]);
        else if (what === 3 && packet.length > 3) packet[3] = packet.length;
        else if (what === 4 && packet.length > 2) packet[2] = int(3);
        else if (packet.length > 1) packet[1] ^= 1 << int(8);
      }
    }
    const result = decodeBfdControl(packet);
    let reason: BfdDropReason | undefined;
    if (!result.ok) {
      reason = result.reason;
    } else {
      const p = result.packet;
      // The reserved byte of the digest sections is ignored on receipt (RFC 5880 §4.3): compare without it.
      const comparable = (b: Uint8Array): string => {
        const c = Uint8Array.from(b);
        if (p.auth !== undefined && p.auth.type !== 'simple-password') c[27] = 0;
        return Buffer.from(c).toString('hex');
      };
      assert.equal(comparable(encodeBfdControl(p)), comparable(packet), 'an accepted packet decodes faithfully');
      reason = checkBfdPacket(p);
      if (reason === undefined) {
        const verdict = checkBfdForSession(p, { ttl: rnd.next() < 0.8 ? 255 : int(256), minTtl: 255, authSequence: UNKNOWN_SEQUENCE, localDetectMult: 3 });
        if (!verdict.ok) reason = verdict.reason;
      }
    }
    if (reason === undefined) accepted++;
    else {
      assert.ok(REASONS.has(reason), `unknown reason ${reason}`);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  console.log(`# accepted ${accepted}, rejected ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const r of ['length', 'version', 'auth_length', 'auth_type', 'detect_mult', 'your_discriminator', 'ttl', 'auth_unexpected'] as const) {
    assert.ok((reasons.get(r) ?? 0) > 0, `fuzzing reached ${r}`);
  }
  assert.ok(accepted > 0, 'some mutated packets are still valid');
});
