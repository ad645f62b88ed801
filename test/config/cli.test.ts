/** `vigil config test`, `vigil config dump` and keepalived's `vigil -t -f FILE`, run as processes. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const BIN = join(ROOT, 'bin/vigil');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function vigil(args: readonly string[], entry = CLI): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Host-independent: `config test` runs with --no-interfaces on it, since the only interface every host has is `lo`,
// which keepalived -t (and so config test) refuses for VRRP.
const VALID = file('valid.conf', 'vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 7\n  @lb1 priority 150\n  @^lb1 priority 90\n  virtual_ipaddress {\n    192.0.2.7/24 dev lo\n  }\n}\n');
const INVALID = file('invalid.conf', 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 300\n  priority 0\n  virtual_ipaddress {\n    192.0.2.7\n  }\n}\n');
const WARNING = file('warning.conf', 'global_defs {\n  fancy_option 1\n}\n');

test('config test: exit 0 and a summary for a valid file, nothing on stderr', async () => {
  const r = await vigil(['config', 'test', '--no-interfaces', '-f', VALID, '-i', 'lb1']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `${VALID}: configuration valid: 1 vrrp_instance, 0 virtual_servers, 0 warnings\n`);
  const quiet = await vigil(['config', 'test', '-q', '--no-interfaces', '-f', VALID]);
  assert.deepEqual([quiet.code, quiet.stdout], [0, '']);
});

test('config test: exit 1 with errors, one line each on stderr with file:line', async () => {
  const r = await vigil(['config', 'test', '-f', INVALID]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    `${INVALID}:3: virtual_router_id: '300' is not an integer from 1 to 255`,
    `${INVALID}:4: priority: '0' is not an integer from 1 to 255`,
    `${INVALID}:1: vrrp_instance VI_1: virtual_router_id is missing`,
  ]);
});

test('config test: warnings go to stderr and keep exit 0, unless --strict', async () => {
  const r = await vigil(['config', 'test', '-f', WARNING]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `${WARNING}:2: warning: unknown keyword 'fancy_option' in global_defs\n`);
  const strict = await vigil(['config', 'test', '--strict', '-f', WARNING]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stderr, `${WARNING}:2: unknown keyword 'fancy_option' in global_defs\n`);
});

test('config test: a keyword vigil does not implement is a warning at its line, exit 0; an error with --strict, exit 1', async () => {
  const conf = file('not-implemented.conf', 'vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 7\n  virtual_ipaddress {\n    192.0.2.7/24\n  }\n  vrf blue\n}\n');
  const r = await vigil(['config', 'test', '--no-interfaces', '-f', conf]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `${conf}:7: warning: vrrp_instance vrf is accepted but not implemented by vigil\n`);
  const strict = await vigil(['config', 'test', '--strict', '--no-interfaces', '-f', conf]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stderr, `${conf}:7: vrrp_instance vrf is accepted but not implemented by vigil\n`);
  assert.equal(strict.stdout, '');
});

test('keepalived spelling: vigil -t -f FILE (and --config-test, with -l -D ignored)', async () => {
  const bad = await vigil(['-t', '-f', INVALID]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.split('\n').length, 4);
  const good = await vigil(['-l', '-D', '--config-test', '--no-interfaces', '-f', VALID]);
  assert.equal(good.code, 0);
  const viaBin = await vigil(['-t', '--no-interfaces', '-f', VALID], BIN);
  assert.equal(viaBin.code, 0);
});

test('config test: a VRRP interface this host does not have is an error (keepalived -t fails too); --no-interfaces skips the check', async () => {
  const noIf = file('noif.conf', 'vrrp_instance VI_1 {\n  interface vigil-nope0\n  virtual_router_id 7\n  virtual_ipaddress {\n    192.0.2.8/24\n  }\n}\n');
  const r = await vigil(['config', 'test', '-f', noIf]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `${noIf}:1: vrrp_instance VI_1: interface vigil-nope0 does not exist (see dynamic_interfaces)\n`);
  assert.equal((await vigil(['config', 'test', '--no-interfaces', '-f', noIf])).code, 0);
  assert.equal((await vigil(['config', 'test', '-f', VALID])).code, 1, 'lo is a loopback interface');
});

test('config test: host checks besides interfaces (a routing table name); --no-host-checks skips them all', async () => {
  const noTable = file('notable.conf', 'vrrp_instance VI_1 {\n  interface vigil-nope0\n  virtual_router_id 7\n  virtual_ipaddress {\n    192.0.2.8/24\n  }\n  virtual_routes {\n    10.9.0.0/16 dev lo table vigil-no-such-table\n  }\n}\n');
  const r = await vigil(['config', 'test', '--no-interfaces', '-f', noTable]);
  assert.equal(r.code, 1);
  // (Until table names reach the kernel, the name is also warned about as not implemented.)
  assert.match(r.stderr, new RegExp(`^${noTable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8: vrrp_instance VI_1: virtual_routes 10\\.9\\.0\\.0/16: routing table 'vigil-no-such-table' is not a number or a name in /etc/iproute2/rt_tables or rt_tables\\.d/\\*\\.conf\n$`, 'm'));
  assert.equal((await vigil(['config', 'test', '--no-host-checks', '-f', noTable])).code, 0);
});

test('a missing file is an error line and exit 1', async () => {
  const missing = join(dir, 'nope.conf');
  const r = await vigil(['config', 'test', '-f', missing]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:0: cannot read '.*nope.conf': .*\n$`));
});

test('config dump --json: keepalived keyword names, defaults filled, -i selects @ lines', async () => {
  const r = await vigil(['config', 'dump', '--json', '-f', VALID, '-i', 'lb1']);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(j), ['global_defs', 'vrrp_scripts', 'vrrp_sync_groups', 'vrrp_instances', 'virtual_server_groups', 'virtual_servers']);
  const vi = (j['vrrp_instances'] as Record<string, unknown>[])[0]!;
  assert.equal(vi['name'], 'VI_1');
  assert.equal(vi['priority'], 150);
  assert.equal(vi['advert_int'], 1);
  assert.equal(vi['version'], 2);
  assert.deepEqual(vi['virtual_ipaddress'], [{ address: '192.0.2.7', prefix: 24, dev: 'lo' }]);
  assert.equal((j['global_defs'] as Record<string, unknown>)['vrrp_mcast_group4'], '224.0.0.18');
  const other = JSON.parse((await vigil(['config', 'dump', '--json', '-f', VALID, '-i', 'lb2'])).stdout) as { vrrp_instances: { priority: number }[] };
  assert.equal(other.vrrp_instances[0]!.priority, 90);
});

test('config dump --json of the LVS fixture: virtual servers, real servers and typed checkers', async () => {
  const r = await vigil(['config', 'dump', '--json', '-f', join(FIXTURES, 'lvs-full.conf')]);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout) as { virtual_servers: Record<string, unknown>[] };
  const vs = j.virtual_servers[0]!;
  assert.deepEqual([vs['ip'], vs['port'], vs['protocol'], vs['lb_algo'], vs['lb_kind'], vs['delay_loop']], ['10.0.0.100', 80, 'TCP', 'wrr', 'DR', 10]);
  const rs = (vs['real_servers'] as Record<string, unknown>[])[0]!;
  assert.deepEqual([rs['ip'], rs['port'], rs['weight']], ['10.1.0.10', 80, 5]);
  const checkers = rs['checkers'] as Record<string, unknown>[];
  assert.deepEqual(checkers.map((c) => c['type']), ['HTTP_GET', 'TCP_CHECK', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']);
  assert.deepEqual((checkers[0]!['url'] as Record<string, unknown>[])[0]!['status_code'], ['200', '301-302']);
  assert.deepEqual([j.virtual_servers[1]!['fwmark'], j.virtual_servers[2]!['group']], [7, 'WEB']);
});

test('config dump without --json prints keepalived.conf text that reads back the same; errors still exit 1', async () => {
  const r = await vigil(['config', 'dump', '-f', VALID, '-i', 'lb1']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^vrrp_instance VI_1 \{\n    state BACKUP\n    interface lo\n    virtual_router_id 7\n    priority 150\n/m);
  const again = await vigil(['config', 'dump', '--json', '-f', file('rendered.conf', r.stdout)]);
  const first = await vigil(['config', 'dump', '--json', '-f', VALID, '-i', 'lb1']);
  assert.equal(again.code, 0);
  assert.deepEqual(JSON.parse(again.stdout), JSON.parse(first.stdout));
  const bad = await vigil(['config', 'dump', '--json', '-f', INVALID]);
  assert.equal(bad.code, 1);
  assert.deepEqual((JSON.parse(bad.stdout) as { vrrp_instances: unknown[] }).vrrp_instances, []);
});
