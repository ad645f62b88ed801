/**
 * keepalived's old unicast checksum (VRRPv3 over IPv4 with 224.0.0.18 in the pseudo-header, keepalived before
 * 1.3.6 and `old_unicast_checksum`), between two vigil daemons on the simulator: by default a unicast instance
 * that hears it switches to it (and says so) and the pair elects one master; with `never` it drops those
 * advertisements as bad checksums (two masters); both on `old_unicast_checksum` elect one master.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimDaemons } from './sim-daemons.js';

const A = '192.168.77.11';
const B = '192.168.77.12';

function conf(self: string, peer: string, priority: number, extra: string): string {
  return `global_defs {\n vrrp_version 3\n}\nvrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority ${priority}\n advert_int 1\n unicast_src_ip ${self}\n unicast_peer {\n  ${peer}\n }\n ${extra}\n virtual_ipaddress {\n  192.168.77.100/24\n }\n}\n`;
}

async function pair(aExtra: string, bExtra: string) {
  const warnings: Record<string, string[]> = { a: [], b: [] };
  const log = (name: string) => ({ debug() {}, info() {}, warn: (m: string) => void warnings[name]!.push(m), error() {} });
  const nodes = [
    { name: 'a', address: A, config: conf(A, B, 150, aExtra), log: log('a') },
    { name: 'b', address: B, config: conf(B, A, 100, bExtra), log: log('b') },
  ];
  return runSimDaemons(5, nodes, 15_000, (daemons) => {
    const state = (i: number) => daemons[i]!.status().instances[0]!;
    return { a: state(0), b: state(1), warnings };
  });
}

test('by default a unicast instance hearing the old checksum switches to it: one master', async () => {
  const r = await pair('old_unicast_checksum', '');
  assert.equal(r.a.state, 'MASTER');
  assert.equal(r.b.state, 'BACKUP');
  assert.deepEqual(r.warnings['b'], ['(VI_1) Setting unicast VRRPv3 checksum to old version']);
  assert.equal(r.b.counters.drops['checksum'] ?? 0, 0);
});

test('old_unicast_checksum never: the old checksum is a bad checksum, and both become master', async () => {
  const r = await pair('old_unicast_checksum', 'old_unicast_checksum never');
  assert.equal(r.a.state, 'MASTER');
  assert.equal(r.b.state, 'MASTER');
  assert.ok((r.b.counters.drops['checksum'] ?? 0) > 3);
  // a, on the old checksum, drops b's standard one in turn.
  assert.ok((r.a.counters.drops['checksum'] ?? 0) > 3);
  assert.deepEqual(r.warnings['b'], []);
});

test('both on old_unicast_checksum: one master, no drop', async () => {
  const r = await pair('old_unicast_checksum', 'old_unicast_checksum');
  assert.deepEqual([r.a.state, r.b.state], ['MASTER', 'BACKUP']);
  assert.deepEqual([r.a.counters.drops['checksum'] ?? 0, r.b.counters.drops['checksum'] ?? 0], [0, 0]);
});
