/** Same seed ⇒ byte-identical output; the seed matters where the network is random. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, simulationJson } from '../../sim/run.js';
import { exploreRun } from '../../sim/explore.js';

const config = (p: number): string =>
  `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority ${p}\n advert_int 1\n virtual_ipaddress {\n 192.168.77.100/24\n }\n}`;
const text = JSON.stringify({
  duration: '120s',
  network: { latency: '1ms', jitter: '30ms', loss: 0.1, duplication: 0.05, reorder: 0.05 },
  nodes: { a: { config: config(150), interfaces: { eth0: '192.168.77.11/24' } }, b: { config: config(100), interfaces: { eth0: '192.168.77.12/24' } }, c: { config: config(50), interfaces: { eth0: '192.168.77.13/24' } } },
  events: [
    { at: '20s', crash: 'a' },
    { at: '40s', restart: 'a' },
    { at: '60s', partition: [['a'], ['b', 'c']] },
    { at: '80s', heal: true },
  ],
});

test('same seed: byte-identical JSON, also for exploration runs', () => {
  const scenario = parseScenario(text, 'determinism.json');
  for (const seed of [1, 2, 99, 4_000_000_000]) {
    const one = simulationJson(runSimulation(scenario, { seed }));
    const two = simulationJson(runSimulation(parseScenario(text, 'determinism.json'), { seed }));
    assert.equal(one, two);
    assert.equal(simulationJson(exploreRun(scenario, seed, undefined)), simulationJson(exploreRun(scenario, seed, undefined)));
  }
});

test('different seeds on a lossy, jittery network give different runs', () => {
  const scenario = parseScenario(text, 'determinism.json');
  const outputs = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(runSimulation(scenario, { seed }).stats)));
  assert.ok(outputs.size > 1);
});
