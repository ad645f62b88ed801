/**
 * `vigil status` for a router with many instances (issue 17's terminal): a compact table grouped by state that
 * fits 255 instances, `--filter`, `--status-socket` (the name `vigil run` uses) with `--socket` kept as an alias,
 * and `--watch`, which refreshes until interrupted. The daemon's side is a status socket served by the test.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatStatus, type DaemonStatus, type InstanceStatus } from '../../actors/status.js';
import { formatStatusTable, matchesFilter } from '../../actors/status-table.js';
import { serveStatus } from '../../transport/real/status-socket.js';
import { instanceStatus, masterCounters } from '../status-fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const VIGIL = join(ROOT, 'bin/vigil');
const execFileAsync = promisify(execFile);

function instance(n: number, state: InstanceStatus['state']): InstanceStatus {
  return instanceStatus({
    name: `VI_${n}`,
    state,
    vrid: n,
    interface: n % 2 === 0 ? 'eth0' : 'eth1',
    effective_priority: n === 7 ? 90 : 100,
    master_address: state === 'BACKUP' ? '192.168.77.2' : null,
    vips: n === 9 ? ['192.168.77.9/24', '192.168.77.109/24', '192.168.77.209/24'] : [`192.168.77.${n}/24`],
    counters: masterCounters({ adverts_sent: n, drops: n === 3 ? { ttl: 4, auth: 1 } : {} }),
  });
}

/** A router with `count` instances: every 10th in FAULT, odd ones BACKUP, the rest MASTER. */
function site(count: number, override: (n: number) => InstanceStatus['state'] | undefined = () => undefined): DaemonStatus {
  const state = (n: number): InstanceStatus['state'] => override(n) ?? (n % 10 === 0 ? 'FAULT' : n % 2 === 1 ? 'BACKUP' : 'MASTER');
  return {
    pid: 4242,
    config_file: '/etc/keepalived/keepalived.conf',
    reloads: 2,
    instances: Array.from({ length: count }, (_, k) => instance(k + 1, state(k + 1))),
    scripts: [
      { name: 'chk_a', up: true },
      { name: 'chk_b', up: false },
    ],
    virtual_servers: [],
    drops: {},
  };
}

test('255 instances: one line each, grouped FAULT, BACKUP, MASTER with counts, narrow enough for a terminal', () => {
  const text = formatStatusTable(site(255));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'vigil pid 4242, config /etc/keepalived/keepalived.conf, 2 reloads');
  assert.equal(lines[1], '255 instances: 25 FAULT, 128 BACKUP, 102 MASTER');
  const groups = lines.filter((l) => /^[A-Z]+ \(\d+\)$/.test(l));
  assert.deepEqual(groups, ['FAULT (25)', 'BACKUP (128)', 'MASTER (102)']);
  // Two header lines, three groups each with a column line, one row per instance, the scripts' line.
  assert.equal(lines.length, 2 + 3 * 2 + 255 + 1);
  assert.ok(Math.max(...lines.map((l) => l.length)) <= 100, `widest line: ${Math.max(...lines.map((l) => l.length))}`);
  // Rows sort by name numerically inside a group; effective priority, drops, VIP overflow and the master shown.
  const backup = lines.slice(lines.indexOf('BACKUP (128)') + 2, lines.indexOf('MASTER (102)'));
  assert.match(backup[0]!, /^  VI_1 +1 +eth1 +v3\/4 +100 +192\.168\.77\.2 +0 +192\.168\.77\.1\/24$/);
  assert.match(backup[1]!, /^  VI_3 +3 .* 5 +192\.168\.77\.3\/24$/);
  assert.match(backup[3]!, /^  VI_7 .* 90\/100 /);
  assert.match(backup[4]!, /^  VI_9 .* 192\.168\.77\.9\/24 192\.168\.77\.109\/24 \+1$/);
  assert.match(text, /scripts: 1 up, 1 down \(chk_b\)/);
});

test('--filter: every word must match a field; vrid= and state= match exactly', () => {
  const s = site(30);
  const names = (filter: string): string[] => s.instances.filter((i) => matchesFilter(i, filter)).map((i) => i.name);
  assert.deepEqual(names('state=fault'), ['VI_10', 'VI_20', 'VI_30']);
  assert.deepEqual(names('vrid=3'), ['VI_3']);
  assert.deepEqual(names('VI_2'), ['VI_2', 'VI_20', 'VI_21', 'VI_22', 'VI_23', 'VI_24', 'VI_25', 'VI_26', 'VI_27', 'VI_28', 'VI_29']);
  assert.deepEqual(names('eth0 master'), ['VI_2', 'VI_4', 'VI_6', 'VI_8', 'VI_12', 'VI_14', 'VI_16', 'VI_18', 'VI_22', 'VI_24', 'VI_26', 'VI_28']);
  assert.deepEqual(names('192.168.77.109'), ['VI_9']);
  assert.deepEqual(names('nothing-like-this'), []);
  assert.match(formatStatusTable(s, 'state=fault'), /3 instances: 3 FAULT \(filter 'state=fault': 3 of 30\)/);
});

async function serveSite(t: TestContext, status: () => DaemonStatus): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-status-cli-'));
  const path = join(dir, 'vigil.sock');
  const server = await serveStatus(path, () => status());
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return path;
}

test('vigil status --status-socket, --socket as its alias, --filter and --json --filter', async (t) => {
  const path = await serveSite(t, () => site(40));
  // Asynchronously: the test's own event loop serves the socket.
  const run = async (...args: string[]): Promise<string> => (await execFileAsync(VIGIL, ['status', ...args], { encoding: 'utf8', timeout: 20_000 })).stdout;
  const table = await run('--status-socket', path);
  assert.match(table, /^vigil pid 4242, .*\n40 instances: 4 FAULT, 20 BACKUP, 16 MASTER\n/);
  assert.equal(await run('--socket', path), table);
  assert.match(await run('--status-socket', path, '--filter', 'state=fault vi_1'), /\n1 instance: 1 FAULT \(filter 'state=fault vi_1': 1 of 40\)\nFAULT \(1\)\n.*\n  VI_10 /);
  const json = JSON.parse(await run('--status-socket', path, '--json', '--filter', 'vrid=12')) as DaemonStatus;
  assert.deepEqual(json.instances.map((i) => i.name), ['VI_12']);
  assert.match(await run('--status-socket', path, '--detail', '--filter', 'vrid=12'), /^VI_12: MASTER +vrid 12 on eth0/m);
});

test('vigil status --watch: refreshes until interrupted, showing each change', async (t) => {
  let polls = 0;
  // VI_5 goes from BACKUP to FAULT after the daemon has been asked three times.
  const path = await serveSite(t, () => site(10, (n) => (n === 5 && ++polls > 3 ? 'FAULT' : undefined)));
  const child = spawn(VIGIL, ['status', '--status-socket', path, '--watch', '0.1', '--filter', 'vrid=5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/FAULT \(1\)/.test(out)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`vigil status --watch exited (${code}):\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  // Not a terminal: each refresh follows the last; the first ones showed VI_5 as BACKUP.
  const frames = out.split('\n\n').filter((f) => f.startsWith('vigil pid'));
  assert.ok(frames.length >= 4, out);
  assert.match(frames[0]!, /BACKUP \(1\)\n.*\n  VI_5 /);
  assert.ok(frames.some((f) => /FAULT \(1\)\n.*\n  VI_5 /.test(f)));
  assert.equal(child.exitCode, null, 'still refreshing');
});

test('vigil status --watch with a bad interval: one line, exit 1', () => {
  const r = spawnSync(VIGIL, ['status', '--status-socket', '/nonexistent/vigil.sock', '--watch', 'soon'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "vigil status: --watch: 'soon' is not a number of seconds (0.1 or more)\n");
});

test('kernel_drops (packets the kernel dropped at a full receive buffer) shown in the table and --detail, not when 0', () => {
  const flooded = { ...site(2), drops: { vrid: 3 }, kernel_drops: 1234 };
  for (const text of [formatStatusTable(flooded), formatStatus(flooded)]) {
    assert.match(text, /^dropped before routing: vrid 3$/m);
    assert.match(text, /^kernel_drops \(receive buffer full, never read\): 1234$/m);
  }
  for (const text of [formatStatusTable({ ...site(2), kernel_drops: 0 }), formatStatus(site(2))]) assert.doesNotMatch(text, /kernel_drops/);
});
