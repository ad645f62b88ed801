/**
 * KEEPALIVED-MIB's check subtree on a live load balancer (issue 16): a director `d` with its own snmpd and
 * snmptrapd runs vigil (enable_snmp_checker, enable_traps, lvs_backend nftables) with one virtual server (wrr,
 * quorum 2) over two real servers on host `r` (weights 1 and 2, TCP_CHECK). keepalived cannot run its checker
 * without IPVS here, so this is no differential: the walk is judged against `vigil status` at the same moment.
 * - the walk: virtualServerTable's and realServerTable's rows, states and weights as the status has them;
 * - the weight-2 server dies: realServerStateChange (down) and virtualServerQuorumStateChange (notMet) with their
 *   varbinds, the walk follows; back: the same, up and met;
 * - snmpset realServerWeight: the status, the walk and the nftables rule (numgen over ΣW) follow; a reload puts the
 *   file's weight back; sets of other objects, of a row that does not exist, are refused;
 * - vigil stops: a realServerStateChange for each live server and a virtualServerQuorumStateChange shutdown(3).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, createLan, type Lan, type NetnsAvailability } from '../netns/harness.js';
import { requireRealNetwork } from './helpers.js';
import { eventually, startDaemon, VIGIL, type Daemon, stopDaemons } from '../daemon/daemons.js';
import { snmpSet, snmpWalk, startSnmpd, trapsLogged, type SnmpSite } from './snmp-peers.js';

const CHECK = '.1.3.6.1.4.1.9586.100.5.3';
const VS = `${CHECK}.3.1`;
const RS = `${CHECK}.4.1`;
const ROUTER_ID = '.1.3.6.1.4.1.9586.100.5.1.2.0';
const VIP = '192.168.77.200';
const PORTS = [8080, 8081] as const;
const SERVER = `require('node:net').createServer((s) => { s.on('error', () => {}); s.end('x'); }).listen(Number(process.argv[1]), '0.0.0.0', () => console.log('ready'));`;

interface Status {
  readonly virtual_servers: { key: string; quorum_up: boolean; real_servers: { key: string; alive: boolean; weight: number }[] }[];
}

const hex = (ip: string): string =>
  ip
    .split('.')
    .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
    .join(' ');

const all =
  (...checks: (() => NetnsAvailability)[]) =>
  (): NetnsAvailability =>
    checks.map((c) => c()).find((r) => !r.ok) ?? { ok: true };

function config(agentx: string, real: string): string {
  const servers = PORTS.map(
    (port, i) => `  real_server ${real} ${port} {
    weight ${i + 1}
    TCP_CHECK {
      # A dead server refuses at once; a slow start on a loaded host is not a failure.
      connect_timeout 3
      retry 0
    }
  }`,
  ).join('\n');
  return `global_defs {
  router_id snmpchk
  enable_snmp_checker
  enable_traps
  snmp_socket unix:${agentx}
  lvs_backend nftables
}
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  quorum 2
${servers}
}
`;
}

test('the check subtree of a live nftables virtual server: walk = status, traps on a real server failing and back, realServerWeight set and reset by a reload', { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t, all(...['nft', 'snmpd', 'snmptrapd', 'snmpwalk', 'snmpset'].map((c) => () => commandAvailable(c))))) return;
  const lan: Lan = await createLan({ name: 'snmpchk', hosts: ['d', 'r'], v4Prefix: '192.168.77.X', v4Start: 190, v4PrefixLength: 24 });
  const servers = new Map<number, ChildProcess>();
  let vigil: Daemon | undefined;
  const snmpDir = mkdtempSync(join(tmpdir(), 'snmpchk-'));
  try {
    const [d, r] = [lan.host('d'), lan.host('r')];
    const site: SnmpSite = await startSnmpd(lan, d, snmpDir);
    const serve = async (port: number): Promise<void> => {
      const child = lan.spawn(r.ns, [process.execPath, '-e', SERVER, String(port)]);
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      assert.equal(line.toString().trim(), 'ready');
      servers.set(port, child);
    };
    for (const port of PORTS) await serve(port);
    const v = startDaemon(lan, d, 'vigil', config(site.agentxSocket, r.ipv4));
    vigil = v;
    const status = async (): Promise<Status> => JSON.parse((await lan.exec(d.ns, [VIGIL, 'status', '--json', '--socket', v.statusSocket])).stdout) as Status;
    const walk = () => snmpWalk(lan, d, CHECK);
    const ruleset = async () => (await lan.exec(d.ns, ['nft', 'list', 'table', 'ip', 'vigil'])).stdout;
    const debug = async () => `${JSON.stringify(await status().catch(() => undefined))}\n${v.log().slice(-3000)}`;

    /** The walk, taken between two equal statuses: the same moment. */
    const snapshot = async (): Promise<{ status: Status; walk: Map<string, string> }> => {
      let out: { status: Status; walk: Map<string, string> } | undefined;
      await eventually(
        async () => {
          const before = await status();
          const w = await walk();
          const after = await status();
          out = { status: after, walk: w };
          return JSON.stringify(before.virtual_servers) === JSON.stringify(after.virtual_servers);
        },
        20_000,
        debug,
        200,
      );
      return out!;
    };
    /** The virtual server's and real servers' rows against the status. */
    const judge = ({ status: s, walk: w }: { status: Status; walk: Map<string, string> }, what: string): void => {
      assert.equal(s.virtual_servers.length, 1, what);
      const vs = s.virtual_servers[0]!;
      assert.equal(vs.key, `${VIP}:80`);
      assert.equal(w.get(`${VS}.2.1`), 'INTEGER: 2', `${what}: virtualServerType ip`);
      assert.equal(w.get(`${VS}.6.1`)?.replace(/^Hex-STRING: /, '').trim(), hex(VIP), what);
      assert.equal(w.get(`${VS}.7.1`), 'Gauge32: 80', what);
      assert.equal(w.get(`${VS}.8.1`), 'INTEGER: 1', `${what}: tcp`);
      assert.equal(w.get(`${VS}.9.1`), 'INTEGER: 2', `${what}: wrr`);
      assert.equal(w.get(`${VS}.10.1`), 'INTEGER: 1', `${what}: NAT`);
      assert.equal(w.get(`${VS}.11.1`), 'INTEGER: 1', `${what}: in the load balancer`);
      assert.equal(w.get(`${VS}.20.1`), 'Gauge32: 2', what);
      assert.equal(w.get(`${VS}.21.1`), `Gauge32: ${vs.real_servers.filter((x) => x.alive).length}`, `${what}: real servers up`);
      assert.equal(w.get(`${VS}.22.1`), 'Gauge32: 2', `${what}: quorum`);
      assert.equal(w.get(`${VS}.23.1`), `INTEGER: ${vs.quorum_up ? 1 : 2}`, `${what}: quorum status`);
      PORTS.forEach((port, i) => {
        const row = `1.${i + 1}`;
        const rs = vs.real_servers.find((x) => x.key === `${r.ipv4}:${port}`);
        assert.ok(rs, `${what}: ${port} in the status`);
        assert.equal(w.get(`${RS}.2.${row}`), 'INTEGER: 1', `${what}: realServerType real`);
        assert.equal(w.get(`${RS}.4.${row}`)?.replace(/^Hex-STRING: /, '').trim(), hex(r.ipv4), what);
        assert.equal(w.get(`${RS}.5.${row}`), `Gauge32: ${port}`, what);
        assert.equal(w.get(`${RS}.6.${row}`), `INTEGER: ${rs.alive ? 1 : 2}`, `${what}: ${port}'s status`);
        assert.equal(w.get(`${RS}.7.${row}`), `INTEGER: ${rs.weight}`, `${what}: ${port}'s weight`);
      });
      assert.equal(w.get(`${RS}.2.1.3`), undefined, `${what}: two rows`);
    };
    const until = async (what: string, check: (s: Status) => boolean): Promise<{ status: Status; walk: Map<string, string> }> => {
      // The status socket answers once the daemon runs.
      await eventually(async () => check(await status().catch(() => ({ virtual_servers: [] }))), 30_000, async () => `${what}: ${await debug()}`, 200);
      const snap = await snapshot();
      judge(snap, what);
      return snap;
    };
    const server = (s: Status, port: number) => s.virtual_servers[0]?.real_servers.find((x) => x.key === `${r.ipv4}:${port}`);

    // Both up, the quorum met.
    const first = await until('both up', (s) => PORTS.every((p) => server(s, p)?.alive === true) && s.virtual_servers[0]!.quorum_up);
    assert.deepEqual(PORTS.map((p) => server(first.status, p)?.weight), [1, 2]);
    assert.match(await ruleset(), /numgen inc mod 3 /);
    assert.deepEqual(trapsLogged(site, `${CHECK}.5.`), [], 'no change yet, no notification');

    // The weight-2 server dies: 1 < quorum 2.
    servers.get(8081)!.kill('SIGKILL');
    const down = await until('8081 down, quorum lost', (s) => server(s, 8081)?.alive === false && !s.virtual_servers[0]!.quorum_up);
    assert.equal(down.walk.get(`${RS}.6.1.2`), 'INTEGER: 2');
    const vsNaming = [`${VS}.2 = INTEGER: 2`, `${VS}.5 = INTEGER: 1`, `${VS}.6 = Hex-STRING: ${hex(VIP)}`, `${VS}.7 = Gauge32: 80`, `${VS}.8 = INTEGER: 1`];
    const rsTrap = (up: boolean, realUp: number, port = 8081): string =>
      [
        `.1.3.6.1.6.3.1.1.4.1.0 = OID: ${CHECK}.5.0.1`,
        `${RS}.3 = INTEGER: 1`,
        `${RS}.4 = Hex-STRING: ${hex(r.ipv4)}`,
        `${RS}.5 = Gauge32: ${port}`,
        `${RS}.6 = INTEGER: ${up ? 1 : 2}`,
        ...vsNaming,
        `${VS}.21 = Gauge32: ${realUp}`,
        `${VS}.20 = Gauge32: 2`,
        `${ROUTER_ID} = STRING: "snmpchk"`,
      ].join(' | ');
    const quorumTrap = (met: boolean | 'shutdown', realUp: number): string =>
      [`.1.3.6.1.6.3.1.1.4.1.0 = OID: ${CHECK}.5.0.2`, ...vsNaming, `${VS}.23 = INTEGER: ${met === 'shutdown' ? 3 : met ? 1 : 2}`, `${VS}.22 = Gauge32: 2`, `${VS}.21 = Gauge32: ${realUp}`, `${VS}.20 = Gauge32: 2`, `${ROUTER_ID} = STRING: "snmpchk"`].join(' | ');
    const traps = () => trapsLogged(site, `${CHECK}.5.`);
    await eventually(async () => traps().length >= 2, 15_000, () => traps().join('\n'), 200);
    assert.deepEqual(traps(), [rsTrap(false, 1), quorumTrap(false, 1)]);
    assert.doesNotMatch(await ruleset(), /numgen/, 'one server left');

    // Back.
    await serve(8081);
    await until('8081 back, quorum met', (s) => server(s, 8081)?.alive === true && s.virtual_servers[0]!.quorum_up);
    await eventually(async () => traps().length >= 4, 15_000, () => traps().join('\n'), 200);
    assert.deepEqual(traps(), [rsTrap(false, 1), quorumTrap(false, 1), rsTrap(true, 2), quorumTrap(true, 2)]);
    await eventually(async () => /numgen inc mod 3 /.test(await ruleset()), 10_000, ruleset, 200);

    // realServerWeight of 8080 (row 1.1) set to 5: the status, the walk and the load balancer follow.
    assert.match(await snmpSet(lan, d, `${RS}.7.1.1`, 'i', '5'), /INTEGER: 5/);
    const set = await until('8080 weighs 5', (s) => server(s, 8080)?.weight === 5);
    assert.equal(set.walk.get(`${RS}.7.1.1`), 'INTEGER: 5');
    await eventually(async () => /numgen inc mod 7 /.test(await ruleset()), 10_000, ruleset, 200);
    assert.match(v.log(), /Changing weight from 1 to 5 for active service/);
    // The rest is refused: another column, a row that does not exist, a negative weight.
    assert.match(await snmpSet(lan, d, `${RS}.6.1.1`, 'i', '2'), /notWritable/);
    assert.match(await snmpSet(lan, d, `${RS}.7.1.3`, 'i', '2'), /notWritable|noCreation|noSuchName/);
    assert.match(await snmpSet(lan, d, `${RS}.7.1.2`, 'i', '-1'), /wrongValue/);
    assert.equal(server(await status(), 8081)?.weight, 2);

    // A reload (the same file) takes the configured weight again.
    v.kill('SIGHUP');
    await until('8080 weighs 1 again', (s) => server(s, 8080)?.weight === 1);
    await eventually(async () => /numgen inc mod 3 /.test(await ruleset()), 10_000, ruleset, 200);

    // vigil stops (no omega): no script, but each live real server's notification and the quorum's, shutdown(3).
    v.kill('SIGTERM');
    assert.equal(await v.exited(), 0);
    await eventually(async () => traps().length >= 7, 10_000, () => traps().join('\n'), 200);
    assert.deepEqual(traps().slice(4), [rsTrap(false, 1, 8080), rsTrap(false, 0, 8081), quorumTrap('shutdown', 0)]);
  } finally {
    for (const s of servers.values()) s.kill('SIGKILL');
    await stopDaemons(lan, [vigil]);
    rmSync(snmpDir, { recursive: true, force: true });
  }
});
