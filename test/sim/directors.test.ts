/**
 * Two directors (VRRP) with virtual servers in the simulator: real servers fail and recover, a director crashes
 * and restarts; the pool of every live director is the set of healthy real servers within the detection bound
 * (or the sorry server), over many seeds of random server flaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, simulationJson } from '../../sim/run.js';
import { checkPoolsMatchHealth } from '../../sim/pool-invariant.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { loadConfigText } from '../../config/load.js';
import { resolveVirtualServers } from '../../actors/checks/resolve-checkers.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const EXAMPLE = join(ROOT, 'examples/two-directors-lvs.json');

function example(events?: unknown[], servers?: Record<string, string>) {
  const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  if (events) raw['events'] = events;
  if (servers) raw['servers'] = servers;
  return parseScenario(JSON.stringify(raw), EXAMPLE);
}

const poolAt = (pools: readonly { t_ms: number; node: string; members: readonly string[] }[], node: string, t: number): string => {
  let current = '';
  for (const p of pools) if (p.node === node && p.t_ms <= t) current = p.members.join(' ');
  return current;
};

test('the example: pools follow the servers on both directors, sorry server when none is up, invariants hold', () => {
  const r = runSimulation(example(), { seed: 1 });
  for (const inv of r.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
  assert.ok(r.invariants.some((i) => i.name === 'pool_matches_health'));
  const all = '192.168.77.21:8080 192.168.77.22:8080 192.168.77.23:8080';
  assert.equal(poolAt(r.pools, 'lb1', 14_000), all);
  // .22 silent at 15 s: gone from both pools within delay_loop + 3 × (1 s + 1 s) + 1 s (TCP_CHECK retry 2).
  for (const node of ['lb1', 'lb2']) assert.equal(poolAt(r.pools, node, 15_000 + 2000 + 3 * 2000 + 1000 + 2000), '192.168.77.21:8080 192.168.77.23:8080');
  assert.equal(poolAt(r.pools, 'lb1', 45_000), '', 'a crashed director has no pool');
  assert.equal(poolAt(r.pools, 'lb2', 69_000), '192.168.77.99:8080', 'sorry server when every real server is down');
  assert.equal(poolAt(r.pools, 'lb1', 89_000), '192.168.77.23:8080');
  assert.equal(poolAt(r.pools, 'lb2', 89_000), '192.168.77.23:8080');
  // The --json contract is unchanged by virtual servers.
  assert.deepEqual(Object.keys(JSON.parse(simulationJson(r)) as object), ['seed', 'duration_ms', 'transitions', 'vips', 'invariants', 'stats']);
  assert.equal(simulationJson(runSimulation(example(), { seed: 1 })), simulationJson(r));
});

test('pool_matches_health catches a pool that does not follow the servers', () => {
  // A run in which every server stays up, judged as if .22 had died at 10 s: its pools (all three) are wrong then.
  const r = runSimulation(example([]), { seed: 1 });
  assert.equal(r.invariants.find((i) => i.name === 'pool_matches_health')?.ok, true);
  const config = loadConfigText(readFileSync(join(ROOT, 'examples/directors.conf'), 'utf8'), 'directors.conf', { configId: 'lb1' }).config;
  const resolved = resolveVirtualServers(config);
  const judge = (faults: Parameters<typeof checkPoolsMatchHealth>[0]['faults']) =>
    checkPoolsMatchHealth({ durationMs: 90_000, pools: r.pools, resolved: new Map([['lb1', resolved]]), faults, initialServers: new Map() });
  assert.equal(judge([])?.ok, true);
  const wrong = judge([{ t_ms: 10_000, action: { kind: 'server', target: '192.168.77.22:8080', state: 'silent' } }]);
  assert.equal(wrong?.ok, false);
  assert.match(wrong?.detail ?? '', /pool \[192\.168\.77\.21:8080,192\.168\.77\.22:8080,192\.168\.77\.23:8080\], healthy \[192\.168\.77\.21:8080,192\.168\.77\.23:8080\]/);
  assert.equal(checkPoolsMatchHealth({ durationMs: 1, pools: [], resolved: new Map(), faults: [], initialServers: new Map() }), undefined);
});

test('random server flaps over 150 seeds: the pools always match health within the bound', () => {
  const targets = ['192.168.77.21:8080', '192.168.77.22:8080', '192.168.77.23:8080'];
  const failures: string[] = [];
  let changes = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const random = new SeededRandom(seed).fork('flaps');
    const events: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const at = Math.round(5000 + random.next() * 60_000);
      const state = ['up', 'down', 'refuse'][Math.floor(random.next() * 3)];
      events.push({ at: `${at}ms`, server: { target: targets[Math.floor(random.next() * 3)], state } });
    }
    if (random.next() < 0.5) events.push({ at: `${Math.round(10_000 + random.next() * 40_000)}ms`, crash: 'lb1' }, { at: '60s', restart: 'lb1' });
    const r = runSimulation(example(events, {}), { seed });
    changes += r.pools.length;
    for (const inv of r.invariants) if (!inv.ok) failures.push(`seed ${seed}: ${inv.name}: ${inv.detail}`);
  }
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(changes > 300, `pools changed ${changes} times: the flaps exercised the checkers`);
});
