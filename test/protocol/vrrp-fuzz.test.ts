/**
 * Fuzzing the decoder and the receive checks: 100,000+ random and mutated packets per run. Nothing throws; every
 * rejected packet carries a known drop reason; every accepted one re-encodes to the very same bytes (so the
 * decoder never accepts something it misread). The seed is printed: VIGIL_FUZZ_SEED=N replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvertisement, encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { checkAdvertisement } from '../../protocol/receive-checks.js';
import type { DropReason } from '../../protocol/vrrp-types.js';
import { fuzzRandom, mutate } from './fuzz-random.js';

const REASONS: ReadonlySet<DropReason> = new Set(['ttl', 'version', 'type', 'length', 'checksum', 'vrid', 'owner', 'family', 'auth_type', 'auth', 'interval', 'unicast_peer', 'destination', 'address_list']);

const SEEDS: [string, 4 | 6, string, string][] = [
  ['3133640100646e17c0a84d64', 4, '192.168.77.11', '224.0.0.18'],
  ['3133640200643262c0a84d64c0a84d65', 4, '192.168.77.11', '192.168.77.12'],
  ['3107c801009609cafd770000000000000000000000000100', 6, 'fe80::1', 'ff02::12'],
  ['213396010101fda2c0a84d647333637265740000', 4, '192.168.77.11', '224.0.0.18'],
  ['2101ff020003c3ddc0a84d64c0a84d650000000000000000', 4, '192.168.77.11', '224.0.0.18'],
];

test('fuzz: 120,000 random and mutated packets never throw, and every verdict is sound', () => {
  const { rnd, int } = fuzzRandom();
  const reasons = new Map<string, number>();
  let accepted = 0;
  const RUNS = 120_000;
  for (let i = 0; i < RUNS; i++) {
    let packet: Uint8Array;
    const [seedHex, family, source, destination] = SEEDS[int(SEEDS.length)]!;
    if (i % 3 === 0) {
      packet = new Uint8Array(int(64));
      for (let j = 0; j < packet.length; j++) packet[j] = int(256);
      // Bias towards plausible headers so that later checks are reached too.
      if (packet.length > 0 && rnd.next() < 0.5) packet[0] = rnd.next() < 0.5 ? 0x31 : 0x21;
    } else {
      packet = new Uint8Array(Buffer.from(seedHex, 'hex'));
      packet = mutate(packet, int, 20, (b) => {
        if (b.length > 3) b[3] = int(256);
      });
    }
    const ctx = { family, source, destination };
    const result = decodeAdvertisement(packet, ctx);
    if (!result.ok) {
      assert.ok(REASONS.has(result.reason), `unknown reason ${result.reason}`);
      reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
      continue;
    }
    accepted++;
    const a = result.advertisement;
    // Trailing bytes beyond the announced length are ignored (as keepalived does). The announced part must encode
    // back to the same bytes, except the checksum and the v3 reserved bits (RFC 5798 §5.2.5: ignored on
    // reception; a flip there can cancel out another in the one's-complement sum).
    const again = encodeAdvertisement(a, { source, destination });
    const comparable = (b: Uint8Array): string => {
      const c = Uint8Array.from(b.subarray(0, again.length));
      c[6] = 0;
      c[7] = 0;
      if (a.version === 3) c[4] = c[4]! & 0x0f;
      // RFC 3768 §5.3.10: without authentication the auth data is ignored on reception.
      if (a.version === 2 && a.authType !== 1) c.fill(0, c.length - 8);
      return Buffer.from(c).toString('hex');
    };
    assert.equal(comparable(packet), comparable(again), `accepted packet decodes faithfully: ${JSON.stringify(a)}`);
    const verdict = checkAdvertisement(
      { ttl: int(256), multicast: rnd.next() < 0.5, source, destination },
      a,
      { version: 3, family, priority: 100, intervalCs: 100, addresses: ['192.168.77.100'], authType: 0, authPassword: '', unicastPeers: [source] },
    );
    if ('drop' in verdict) assert.ok(REASONS.has(verdict.drop));
  }
  console.log(`# accepted ${accepted}, rejected ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const r of ['length', 'version', 'type', 'checksum'] as const) assert.ok((reasons.get(r) ?? 0) > 0, `fuzzing reached ${r}`);
  assert.ok(accepted > 0, 'some mutated packets are still valid');
});
