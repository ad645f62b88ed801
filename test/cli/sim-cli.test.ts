/** `vigil sim` as other tools call it: the JSON contract, exit codes 0/1/2, --until, --explore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const VIGIL = join(ROOT, 'bin/vigil');
const EXAMPLE = join(ROOT, 'examples/two-node-failover.json');

function vigil(...args: string[]) {
  const r = spawnSync(VIGIL, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempScenario(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('the README example: exit 0, JSON with exactly the contract keys, failover of lb1 to lb2', () => {
  const r = vigil('sim', EXAMPLE, '--json', '--seed', '7');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON object');
  const out = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['seed', 'duration_ms', 'transitions', 'vips', 'invariants', 'stats']);
  assert.equal(out.seed, 7);
  assert.equal(out.duration_ms, 60_000);
  const transitions = out.transitions as { t_ms: number; node: string; instance: string; from: string; to: string }[];
  assert.deepEqual(Object.keys(transitions[0]!), ['t_ms', 'node', 'instance', 'from', 'to']);
  // lb1 (150) is master first; its crash at 10 s hands over to lb2 one Master_Down_Interval after lb1's last advert.
  const masters = transitions.filter((t) => t.to === 'MASTER').map((t) => [t.node, t.t_ms]);
  assert.deepEqual(masters[0], ['lb1', 3414.062]);
  assert.deepEqual(masters[1], ['lb2', 9415.062 + 3609.375]);
  for (const t of transitions) assert.ok(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'].includes(t.to));
  const vips = out.vips as { t_ms: number; node: string; address: string; action: string }[];
  assert.deepEqual(vips[0], { t_ms: 3414.062, node: 'lb1', address: '192.168.77.100', action: 'add' });
  const stats = out.stats as { events: number; packets_sent: number; packets_dropped: Record<string, number> };
  assert.ok(stats.events > 0 && stats.packets_sent > 0);
  assert.ok((out.invariants as { ok: boolean }[]).every((i) => i.ok));
  // The same seed twice: byte-identical.
  assert.equal(vigil('sim', EXAMPLE, '--json', '--seed', '7').stdout, r.stdout);
});

test('the text timeline names transitions and invariants', () => {
  const r = vigil('sim', EXAMPLE);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /lb1 VI_1: BACKUP -> MASTER/);
  assert.match(r.stdout, /ok +one_master_when_stable/);
});

test('--until cuts the run short', () => {
  const r = vigil('sim', EXAMPLE, '--json', '--until', '12s');
  const out = JSON.parse(r.stdout) as { duration_ms: number; transitions: { t_ms: number }[] };
  assert.equal(out.duration_ms, 12_000);
  assert.ok(out.transitions.every((t) => t.t_ms <= 12_000));
});

test('exit 1 when an invariant is violated: two v2 routers with different intervals both stay master', () => {
  const conf = (p: number, i: number) => `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 9\n priority ${p}\n advert_int ${i}\n virtual_ipaddress {\n 192.168.77.100/24\n }\n}\n`;
  const dir = tempScenario({
    'a.conf': conf(150, 1),
    'b.conf': conf(100, 2),
    's.json': JSON.stringify({ duration: '30s', nodes: { a: { config: 'a.conf', interfaces: { eth0: '192.168.77.11/24' } }, b: { config: 'b.conf', interfaces: { eth0: '192.168.77.12/24' } } } }),
  });
  try {
    const r = vigil('sim', join(dir, 's.json'), '--json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { invariants: { name: string; ok: boolean }[]; stats: { packets_dropped: Record<string, number> } };
    assert.equal(out.invariants.find((i) => i.name === 'one_master_when_stable')?.ok, false);
    assert.ok(out.stats.packets_dropped.interval! > 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('exit 2 with one line naming the file for bad input', () => {
  const dir = tempScenario({
    'bad.json': '{ "duration": "60s", "nodes": { ',
    'badconf.json': JSON.stringify({ nodes: { a: { config: 'x.conf', interfaces: { eth0: '192.168.77.11/24' } } } }),
    'x.conf': 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 300\n}\n',
    'missing.json': JSON.stringify({ nodes: { a: { config: 'nope.conf', interfaces: { eth0: '192.168.77.11/24' } } } }),
  });
  try {
    for (const [file, pattern] of [
      ['bad.json', /bad\.json/],
      ['badconf.json', /x\.conf:3: .*virtual_router_id/],
      ['missing.json', /nope\.conf/],
      ['does-not-exist.json', /does-not-exist\.json/],
    ] as const) {
      const r = vigil('sim', join(dir, file));
      assert.equal(r.code, 2, `${file}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(vigil('sim', EXAMPLE, '--seed', 'x').code, 2);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('--explore N --json reports runs and violations; --explore 1 --seed N replays one run', () => {
  const r = vigil('sim', '--explore', '20', '--json', EXAMPLE);
  assert.equal(r.code, 0, r.stdout);
  const out = JSON.parse(r.stdout) as { runs: number; violations: unknown[]; events: number };
  assert.equal(out.runs, 20);
  assert.deepEqual(out.violations, []);
  const one = vigil('sim', '--explore', '1', '--seed', '5', '--json', EXAMPLE);
  assert.equal(one.stdout, vigil('sim', '--explore', '1', '--seed', '5', '--json', EXAMPLE).stdout);
  assert.notEqual(one.stdout, vigil('sim', '--seed', '5', '--json', EXAMPLE).stdout, 'exploration adds faults');
});
