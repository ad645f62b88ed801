/**
 * Active-active directors behind the simulator's ECMP router (sim/ecmp-router.ts), lb_algo mh (Maglev): the
 * example scenario's flows spread over the directors and servers, keep their real server when a director fails,
 * and move at most the lost server's share plus 2 % when a server fails; the invariants catch a director whose
 * table differs and a table that is not consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { judgeEcmpFlows } from '../../sim/ecmp-flows.js';
import { ecmpNextHop, clientFlows } from '../../sim/ecmp-router.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import type { ServiceChange } from '../../sim/sim-directors.js';
import type { AddressService, Destination } from '../../machines/desired-state.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const EXAMPLE = join(ROOT, 'examples/ecmp-maglev.json');

test('examples/ecmp-maglev.json: flows spread evenly, a director failure moves none, a server failure its share', () => {
  const result = runSimulation(loadScenarioFile(EXAMPLE), { seed: 1 });
  const failed = result.invariants.filter((i) => !i.ok);
  assert.deepEqual(failed, []);
  const names = result.invariants.map((i) => i.name);
  assert.ok(names.includes('ecmp_director_change_keeps_servers') && names.includes('ecmp_server_change_moves_its_share'));
  const report = result.ecmp?.[0];
  assert.ok(report !== undefined);
  assert.equal(report.directors, 3);
  assert.equal(report.flows, 10_000);
  // Within ±10 % of even, over directors and over servers.
  for (const n of Object.values(report.per_director)) assert.ok(Math.abs(n - 10_000 / 3) <= 1_000 / 3, JSON.stringify(report.per_director));
  assert.equal(Object.keys(report.per_server).length, 4);
  for (const n of Object.values(report.per_server)) assert.ok(Math.abs(n - 2_500) <= 250, JSON.stringify(report.per_server));
  assert.equal(report.moved_on_director_loss, 0);
  assert.ok(report.moved_on_server_loss >= report.lost_server_share, 'the lost server\'s flows all moved');
  assert.ok(report.moved_on_server_loss <= report.lost_server_share + 0.02, JSON.stringify(report));
  assert.ok(report.lost_server_share > 0.2 && report.lost_server_share < 0.3);
  assert.equal(report.errors, 0);
  // Deterministic: the same seed gives the same report.
  assert.deepEqual(runSimulation(loadScenarioFile(EXAMPLE), { seed: 1 }).ecmp, result.ecmp);
});

const dest = (n: number): Destination => ({ address: `192.168.77.${n}`, port: 8080, weight: 1, forwarding: 'NAT' });
const service = (members: readonly number[], extra: Partial<AddressService> = {}): AddressService => ({
  kind: 'address', key: 'vs', protocol: 'tcp', family: 4, address: '192.168.77.100', port: 80, scheduler: 'mh',
  schedulerFlags: ['flag-2'], hashTableSize: 2053, destinations: members.map(dest), ...extra,
});
const change = (t_ms: number, node: string, state: AddressService | undefined): ServiceChange => ({ t_ms, node, service: 'vs', state });

test('the director invariant fails when one director builds another table from the same pool', () => {
  const pool = [21, 22, 23, 24];
  const changes = [
    change(0, 'd1', service(pool)),
    change(0, 'd2', service(pool, { hashTableSize: 2039 })),
    change(10, 'd1', undefined),
  ];
  const { invariants } = judgeEcmpFlows(changes, 2_000, new SeededRandom(3));
  const director = invariants.find((i) => i.name === 'ecmp_director_change_keeps_servers')!;
  assert.equal(director.ok, false, director.detail);
  // The same tables on both: it holds.
  const same = judgeEcmpFlows([change(0, 'd1', service(pool)), change(0, 'd2', service(pool)), change(10, 'd1', undefined)], 2_000, new SeededRandom(3));
  assert.ok(same.invariants.every((i) => i.ok), JSON.stringify(same.invariants));
  assert.equal(same.reports[0]!.moved_on_director_loss, 0);
});

test('the server invariant fails when the table is resized with the pool (not consistent), holds with a fixed size', () => {
  const before = [21, 22, 23, 24, 25];
  const after = [21, 22, 24, 25];
  const resized = judgeEcmpFlows([change(0, 'd1', service(before, { hashTableSize: 1283 })), change(10, 'd1', service(after, { hashTableSize: 1031 }))], 2_000, new SeededRandom(4));
  assert.equal(resized.invariants.find((i) => i.name === 'ecmp_server_change_moves_its_share')!.ok, false);
  const fixed = judgeEcmpFlows([change(0, 'd1', service(before)), change(10, 'd1', service(after))], 2_000, new SeededRandom(4));
  assert.ok(fixed.invariants.every((i) => i.ok), JSON.stringify(fixed.invariants));
  const r = fixed.reports[0]!;
  assert.ok(r.moved_on_server_loss >= r.lost_server_share && r.moved_on_server_loss <= r.lost_server_share + 0.02, JSON.stringify(r));
});

test('the ECMP router spreads flows over the announcing directors, in any order of naming', () => {
  const flows = clientFlows(new SeededRandom(5), 3_000, '192.168.77.100', 80, 'tcp');
  assert.equal(new Set(flows.map((f) => `${f.source}:${f.sourcePort}`)).size, 3_000);
  const counts: Record<string, number> = {};
  for (const f of flows) {
    const hop = ecmpNextHop(f, ['d3', 'd1', 'd2'])!;
    assert.equal(hop, ecmpNextHop(f, ['d1', 'd2', 'd3']));
    counts[hop] = (counts[hop] ?? 0) + 1;
  }
  for (const n of Object.values(counts)) assert.ok(Math.abs(n - 1_000) <= 100, JSON.stringify(counts));
  assert.equal(ecmpNextHop(flows[0]!, []), undefined);
});

test('"flows" must be a positive whole number', () => {
  const text = (flows: unknown): string => JSON.stringify({ flows, nodes: { d1: { config: 'virtual_server 192.168.77.100 80 {\n}\n', interfaces: { eth0: '192.168.77.11/24' } } } });
  assert.throws(() => parseScenario(text(0), 'x.json'), (e: unknown) => e instanceof ScenarioError && /"flows": must be a number/.test(e.message));
  assert.throws(() => parseScenario(text('many'), 'x.json'), ScenarioError);
  assert.equal(parseScenario(text(5), 'x.json').flows, 5);
});
