/**
 * Fuzzing the AH path: random and mutated protocol-51 datagrams through what a channel and an instance do with
 * them (split the headers, decode the VRRP message, run the receive checks with AH). Nothing throws; every
 * rejection carries a known reason; every accepted datagram is authentic: sealing its VRRP message again with the
 * password gives the same bytes except the fields the ICV leaves out. VIGIL_FUZZ_SEED=N replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ahKey, openAhDatagram, sealAhDatagram } from '../../protocol/ipsec-ah.js';
import { decodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { checkAdvertisement, type InstanceExpectations } from '../../protocol/receive-checks.js';
import type { DropReason } from '../../protocol/vrrp-types.js';
import { formatIpv4 } from '../../protocol/ip.js';
import { fuzzRandom, mutate } from './fuzz-random.js';

const REASONS: ReadonlySet<DropReason> = new Set(['ttl', 'version', 'type', 'length', 'checksum', 'vrid', 'owner', 'family', 'auth_type', 'auth', 'auth_replay', 'interval', 'unicast_peer', 'destination', 'address_list']);

// keepalived's own datagrams (test/protocol/ipsec-ah.test.ts): multicast, and unicast to 192.168.91.2.
const SEEDS: [string, boolean][] = [
  ['45c0004000010000ff33bf0dc0a85b01e000001270040000c0a85b01000000016a07950e1b330e6e18840d122133960102012abdc0a85b640000000000000000', false],
  ['45c0004000050000ff33bf09c0a85b01e000001270040000c0a85b0100000005e85e56599a538b3ac066d030213300010201c0bdc0a85b640000000000000000', false],
  ['45c0004000010000ff338375c0a85b01c0a85b0270040000c0a85b01000000011317dda41022be20a4f043822133960102012abdc0a85b640000000000000000', true],
];
const PASSWORD = 'secret';

test('fuzz: 60,000 random and mutated AH datagrams never throw, and only authentic ones are accepted', () => {
  const { rnd, int } = fuzzRandom();
  const outcomes = new Map<string, number>();
  const count = (what: string): void => void outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
  let accepted = 0;
  for (let i = 0; i < 60_000; i++) {
    const [seedHex, unicast] = SEEDS[int(SEEDS.length)]!;
    let d: Uint8Array = new Uint8Array(Buffer.from(seedHex, 'hex'));
    if (i % 4 === 0) {
      d = new Uint8Array(int(80));
      for (let j = 0; j < d.length; j++) d[j] = int(256);
      // Plausible headers now and then, so that the later checks are reached too.
      if (d.length > 21 && rnd.next() < 0.7) {
        d[0] = 0x45;
        d[9] = 51;
        d[20] = 112;
        d[21] = 4;
      }
    } else if (i % 4 !== 1) {
      // (i % 4 === 1: the datagram as captured, replayed against a random counter.)
      d = mutate(d, int, 12, (b) => {
        b[int(Math.min(b.length, 24))] = int(256);
      });
    }
    const opened = openAhDatagram(d);
    if (!opened.ok) {
      count(`open:${opened.reason}`);
      continue;
    }
    const source = formatIpv4(d, 12);
    const destination = formatIpv4(d, 16);
    const decoded = decodeAdvertisement(opened.payload, { family: 4, source, destination });
    if (!decoded.ok) {
      assert.ok(REASONS.has(decoded.reason), `unknown reason ${decoded.reason}`);
      count(`decode:${decoded.reason}`);
      continue;
    }
    const counter = { sequence: rnd.next() < 0.5 ? 0 : int(8), cycled: false };
    const instance: InstanceExpectations = {
      version: 2,
      family: 4,
      priority: 100,
      intervalCs: 100,
      addresses: ['192.168.91.100'],
      authType: 2,
      authPassword: PASSWORD,
      unicastPeers: unicast ? [source] : [],
    };
    const verdict = checkAdvertisement({ ttl: d[8]!, multicast: !unicast, source, destination, datagram: d }, decoded.advertisement, instance, counter);
    if ('drop' in verdict) {
      assert.ok(REASONS.has(verdict.drop), `unknown reason ${verdict.drop}`);
      count(verdict.drop);
      continue;
    }
    accepted++;
    assert.ok(verdict.ahSequence !== undefined && verdict.ahSequence > counter.sequence, 'an accepted number is news');
    const again = sealAhDatagram(opened.payload, {
      source,
      destination,
      ttl: d[8]!,
      identification: (d[4]! << 8) | d[5]!,
      sequence: opened.ah.sequence,
      key: ahKey(PASSWORD),
      unicast,
    });
    const comparable = (b: Uint8Array): string => {
      const c = Uint8Array.from(b);
      for (const at of [1, 6, 7, 10, 11, ...(unicast ? [8] : [])]) c[at] = 0;
      return Buffer.from(c).toString('hex');
    };
    assert.equal(comparable(d), comparable(again), 'an accepted datagram is what the password holder sent');
  }
  console.log(`# accepted ${accepted}, rejected ${[...outcomes].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const r of ['open:length', 'auth', 'auth_replay']) assert.ok((outcomes.get(r) ?? 0) > 0, `fuzzing reached ${r}`);
  assert.ok(accepted > 0, 'untouched and harmlessly mutated datagrams are accepted');
});
