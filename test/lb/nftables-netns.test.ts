/**
 * The nftables backend for real, in network namespaces on one LAN (192.168.77.0/24): a client (.65), a director
 * (.66) holding the VIP 192.168.77.100 and vigil's nft rules (DNAT, ip_forward), and three real servers (.67-.69)
 * whose route back to the client goes through the director, each running a TCP server that answers its name.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, requireNetns, type Lan, type LanHost } from '../netns/harness.js';
import { directorLan, SERVERS, VIP } from './director-lan.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { renderNftRuleset } from '../../transport/lb/nftables-ruleset.js';
import { SCHEDULERS, type AddressService, type DesiredState, type VirtualService } from '../../machines/desired-state.js';

/** N connections to host:port, `parallel` at a time; prints {name: count} (errors under "error:<code>"). */
const CLIENT = `
const net = require('node:net');
const [host, port, total, parallel] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const counts = {};
let started = 0;
const one = () => new Promise((resolve) => {
  const s = net.connect({ host, port });
  let data = '';
  const done = (key) => { counts[key] = (counts[key] || 0) + 1; s.destroy(); resolve(); };
  s.setTimeout(3000, () => done('error:timeout'));
  s.on('data', (d) => { data += d; });
  s.on('end', () => done(data));
  s.on('error', (e) => done('error:' + e.code));
});
const worker = async () => { while (started < total) { started++; await one(); } };
Promise.all(Array.from({ length: parallel }, worker)).then(() => console.log(JSON.stringify(counts)));
`;

interface World {
  readonly lan: Lan;
  readonly director: LanHost;
  readonly client: LanHost;
  readonly backend: NftablesBackend;
  readonly nft: ExecNftRunner;
}

async function setUp(): Promise<World> {
  const { lan, director, client } = await directorLan('lbnft', true);
  const nft = new ExecNftRunner({ netns: director.ns });
  return { lan, director, client, backend: new NftablesBackend({ runner: nft }), nft };
}

async function connect(world: World, total: number, parallel = 8): Promise<Record<string, number>> {
  const { stdout } = await world.lan.exec(world.client.ns, [process.execPath, '-e', CLIENT, VIP, '80', String(total), String(parallel)]);
  return JSON.parse(stdout) as Record<string, number>;
}

function service(weights: Partial<Record<(typeof SERVERS)[number], number>>, extra: Partial<AddressService> = {}): AddressService {
  return {
    kind: 'address',
    key: 'web',
    protocol: 'tcp',
    family: 4,
    address: VIP,
    port: 80,
    scheduler: 'rr',
    destinations: Object.entries(weights).map(([name, weight]) => ({
      address: `192.168.77.${67 + SERVERS.indexOf(name as (typeof SERVERS)[number])}`,
      port: 8080,
      weight,
      forwarding: 'NAT' as const,
    })),
    ...extra,
  };
}

const state = (...services: VirtualService[]): DesiredState => ({ services });

test('nftables backend in namespaces', async (t: TestContext) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const world = await setUp();
  try {
    await t.test('rr reaches all three servers in turn', async () => {
      const report = await world.backend.apply(state(service({ b1: 1, b2: 1, b3: 1 })));
      assert.equal(report.changed, true);
      assert.deepEqual(await connect(world, 30), { b1: 10, b2: 10, b3: 10 });
    });

    await t.test('applying the same state again changes nothing', async () => {
      const report = await world.backend.apply(state(service({ b1: 1, b2: 1, b3: 1 })));
      assert.equal(report.changed, false);
      assert.equal(report.operations, 0);
    });

    await t.test('wrr weights 1:2:3 hold over 1,000 connections (each share within ±5 points)', async () => {
      await world.backend.apply(state(service({ b1: 1, b2: 2, b3: 3 }, { scheduler: 'wrr' })));
      const counts = await connect(world, 1000, 16);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      assert.equal(total, 1000, JSON.stringify(counts));
      for (const [name, weight] of [['b1', 1], ['b2', 2], ['b3', 3]] as const) {
        const share = ((counts[name] ?? 0) / total) * 100;
        assert.ok(Math.abs(share - (weight / 6) * 100) <= 5, `${name}: ${share.toFixed(1)}% (${JSON.stringify(counts)})`);
      }
    });

    await t.test('a destination removed from the state gets no new connection; added back, it does again', async () => {
      await world.backend.apply(state(service({ b1: 1, b3: 1 })));
      const without = await connect(world, 60);
      assert.equal(without['b2'], undefined, JSON.stringify(without));
      assert.ok((without['b1'] ?? 0) > 0 && (without['b3'] ?? 0) > 0, JSON.stringify(without));
      await world.backend.apply(state(service({ b1: 1, b2: 1, b3: 1 })));
      const back = await connect(world, 60);
      assert.deepEqual(back, { b1: 20, b2: 20, b3: 20 });
    });

    await t.test('weight 0 everywhere: the sorry server takes every connection', async () => {
      await world.backend.apply(state(service({ b1: 0, b2: 0 }, { sorry: { address: '192.168.77.69', port: 8080, weight: 1, forwarding: 'NAT' } })));
      assert.deepEqual(await connect(world, 12), { b3: 12 });
    });

    await t.test('tables deleted behind vigil\'s back are restored by the next apply', async () => {
      const desired = state(service({ b1: 1, b2: 1 }));
      await world.backend.apply(desired);
      await world.nft.run(['delete', 'table', 'ip', 'vigil']);
      const report = await world.backend.apply(desired);
      assert.equal(report.changed, true);
      assert.deepEqual(await connect(world, 10), { b1: 5, b2: 5 });
    });

    await t.test('a transaction nft refuses leaves the previous rules in force (atomic swap)', async () => {
      await world.backend.apply(state(service({ b1: 1, b3: 1 })));
      const before = await world.backend.listed();
      const next = renderNftRuleset(state(service({ b2: 1 }))).text;
      await assert.rejects(world.nft.run(['-f', '-'], `${next}add rule ip vigil svc_0 bogus\n`), /Error/);
      assert.equal(await world.backend.listed(), before);
      assert.deepEqual(await connect(world, 10), { b1: 5, b3: 5 });
    });

    await t.test('clear() removes the vigil table and nothing else', async () => {
      await world.nft.run(['-f', '-'], 'table ip keep {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tcounter\n\t}\n}\ntable inet vigil2 {\n}\n');
      await world.backend.apply(state(service({ b1: 1, b2: 1, b3: 1 })));
      await world.backend.clear();
      const tables = (await world.nft.run(['list', 'tables'])).stdout;
      assert.deepEqual(tables.trim().split('\n').sort(), ['table inet vigil2', 'table ip keep']);
      assert.match((await world.nft.run(['list', 'table', 'ip', 'keep'])).stdout, /counter packets/);
      // Nothing DNATs any more: the VIP is the director's own address, where nothing listens.
      assert.deepEqual(await connect(world, 3), { 'error:ECONNREFUSED': 3 });
      await world.backend.clear(); // idempotent
    });

    await t.test('lvs_flush: a crashed vigil\'s table goes before the first apply, other tables stay', async () => {
      await world.nft.run(['-f', '-'], 'table ip vigil {\n\tchain stale {\n\t\tcounter\n\t}\n}\ntable ip keep2 {\n}\n');
      await world.backend.flush();
      const tables = (await world.nft.run(['list', 'tables'])).stdout;
      assert.ok(!/table ip vigil$/m.test(tables) && /table ip keep2$/m.test(tables), tables);
      await world.nft.run(['delete', 'table', 'ip', 'keep2']);
    });

    await t.test('nft accepts every rendering: each scheduler, IPv4 and IPv6, persistence, fwmark', async () => {
      const services: VirtualService[] = [];
      SCHEDULERS.forEach((scheduler, i) => {
        const dests4 = [1, 2, 3].map((w) => ({ address: `192.168.77.${66 + w}`, port: 8080, weight: w, forwarding: 'NAT' as const }));
        const dests6 = [1, 2].map((w) => ({ address: `fd77::${66 + w}`, port: 8080, weight: w, forwarding: 'NAT' as const }));
        services.push({ kind: 'address', key: `v4-${scheduler}`, protocol: 'tcp', family: 4, address: VIP, port: 1000 + i, scheduler, destinations: dests4 });
        services.push({ kind: 'address', key: `v6-${scheduler}`, protocol: 'udp', family: 6, address: 'fd77::100', port: 1000 + i, scheduler, persistenceTimeout: 30, persistenceGranularity: 48, destinations: dests6 });
        services.push({ kind: 'address', key: `p4-${scheduler}`, protocol: 'sctp', family: 4, address: VIP, port: 2000 + i, scheduler, persistenceTimeout: 30, persistenceGranularity: '255.255.0.0', destinations: dests4 });
        services.push({ kind: 'fwmark', key: `fw-${scheduler}`, protocol: 'tcp', family: 4, fwmark: 100 + i, scheduler, destinations: dests4.map((d) => ({ ...d, port: 0 })) });
        // Scheduler flags (sh-port / mh-port are flag-2), with and without a persistence mask.
        const schedulerFlags = ['flag-1', 'flag-2'] as const;
        services.push({ kind: 'address', key: `f4-${scheduler}`, protocol: 'udp', family: 4, address: VIP, port: 3000 + i, scheduler, schedulerFlags, persistenceGranularity: '255.255.255.0', destinations: dests4 });
        services.push({ kind: 'address', key: `f6-${scheduler}`, protocol: 'tcp', family: 6, address: 'fd77::100', port: 3000 + i, scheduler, schedulerFlags, destinations: dests6 });
      });
      const text = renderNftRuleset({ services }, { table: 'vigilcheck' }).text;
      await world.nft.run(['-c', '-f', '-'], text);
    });
  } finally {
    await world.lan.cleanup();
  }
});
