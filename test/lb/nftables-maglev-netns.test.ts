/**
 * lb_algo mh on nftables for real: a client (.65), a director (.66) holding the VIP 192.168.77.100 with vigil's
 * Maglev map, three real servers (.67-.69) answering their name. Each connection's source port is chosen, so the
 * test computes the kernel's pick itself (jhash of the 5-tuple, reciprocal_scale, the table's slot: protocol/) and
 * asserts that every flow landed on the server the table says.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, requireNetns } from '../netns/harness.js';
import { directorLan, SERVERS, VIP } from './director-lan.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { buildMaglevTable, maglevTableSize } from '../../protocol/maglev.js';
import { nftConcat, nftJhash } from '../../protocol/jhash.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import type { AddressService, Destination } from '../../machines/desired-state.js';

const SIZE = maglevTableSize(SERVERS.length);

/** One connection from each source port in [from, to), 8 at a time; prints {port: answer}. */
const CLIENT = `
const net = require('node:net');
const [host, from, to] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const out = {};
let next = from;
const one = (localPort) => new Promise((resolve) => {
  const s = net.connect({ host, port: 80, localPort });
  let data = '';
  const done = (v) => { out[localPort] = v; s.destroy(); resolve(); };
  s.setTimeout(5000, () => done('error:timeout'));
  s.on('data', (d) => { data += d; });
  s.on('end', () => done(data));
  s.on('error', (e) => done('error:' + e.code));
});
const worker = async () => { while (next < to) await one(next++); };
Promise.all(Array.from({ length: 8 }, worker)).then(() => console.log(JSON.stringify(out)));
`;

const dest = (i: number): Destination => ({ address: `192.168.77.${67 + i}`, port: 8080, weight: 1, forwarding: 'NAT' });

function service(members: readonly number[], flags: AddressService['schedulerFlags'] = ['flag-2']): AddressService {
  return { kind: 'address', key: 'web', protocol: 'tcp', family: 4, address: VIP, port: 80, scheduler: 'mh', schedulerFlags: flags, hashTableSize: SIZE, destinations: members.map(dest) };
}

/** The server the Maglev table gives the flow client:sport → VIP:80/tcp (5-tuple), or the client alone. */
function predicted(client: string, members: readonly number[], sport: number, fiveTuple: boolean): string {
  const table = buildMaglevTable(members.map((i) => ({ name: `192.168.77.${67 + i}:8080`, weight: 1 })), SIZE);
  const port = (p: number): Uint8Array => Uint8Array.of(p >> 8, p & 0xff);
  const key = fiveTuple ? nftConcat([ipToBytes(client), port(sport), ipToBytes(VIP), port(80), Uint8Array.of(6)]) : ipToBytes(client);
  const name = table.backends[table.slots[nftJhash(key, SIZE, 0)]!]!.name;
  return SERVERS[Number(/\.(\d+):/.exec(name)![1]) - 67]!;
}

test('Maglev map in namespaces: every flow lands on the server the table says', async (t: TestContext) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const { lan, director, client } = await directorLan('ecmpmh');
  try {
    const backend = new NftablesBackend({ runner: new ExecNftRunner({ netns: director.ns }) });
    // Each phase uses source ports of its own: a reused 5-tuple would follow its old conntrack entry.
    const flows = async (from: number, to: number): Promise<Record<string, string>> =>
      JSON.parse((await lan.exec(client.ns, [process.execPath, '-e', CLIENT, VIP, String(from), String(to)])).stdout) as Record<string, string>;
    const check = (answers: Record<string, string>, members: readonly number[], fiveTuple: boolean): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const [port, answer] of Object.entries(answers)) {
        assert.equal(answer, predicted(client.ipv4, members, Number(port), fiveTuple), `source port ${port}`);
        counts[answer] = (counts[answer] ?? 0) + 1;
      }
      return counts;
    };

    await t.test('mh-port: 300 flows spread over the three servers, each where jhash and the table put it', async () => {
      await backend.apply({ services: [service([0, 1, 2])] });
      const counts = check(await flows(41000, 41300), [0, 1, 2], true);
      assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 300);
      for (const name of SERVERS) assert.ok((counts[name] ?? 0) >= 60, JSON.stringify(counts));
    });

    await t.test('b2 removed: new flows follow the new table, and the flows b1 and b3 had keep their server', async () => {
      await backend.apply({ services: [service([0, 2])] });
      const answers = await flows(42000, 42300);
      assert.deepEqual(Object.keys(check(answers, [0, 2], true)).sort(), ['b1', 'b3']);
      let kept = 0;
      let before = 0;
      for (const port of Object.keys(answers)) {
        const was = predicted(client.ipv4, [0, 1, 2], Number(port), true);
        if (was === 'b2') continue;
        before++;
        if (answers[port] === was) kept++;
      }
      assert.ok(kept / before >= 0.97, `${kept} of ${before} flows kept their server`);
    });

    await t.test('without mh-port: the source address alone, so every flow of the client goes to one server', async () => {
      await backend.apply({ services: [service([0, 1, 2], [])] });
      const counts = check(await flows(43000, 43040), [0, 1, 2], false);
      assert.equal(Object.keys(counts).length, 1, JSON.stringify(counts));
    });
  } finally {
    await lan.cleanup();
  }
});
