/**
 * use_vmac and use_ipvlan in the simulator: the interfaces the daemon would create exist on the simulated hosts
 * (sim/run.ts, SimHost.addVirtualInterface), advertisements leave through them, and they follow their parent's
 * link. An IPv4 ipvlan without an address keeps its instance in FAULT, as keepalived's configuration fault does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';
import { pairInstance, pairScenario } from './pair-scenario.js';

function config(line: string): string {
  return pairInstance({ before: `    ${line}\n` });
}

function run(conf: string, events: unknown[] = []): SimulationResult {
  return runSimulation(parseScenario(pairScenario(conf, events, '30s'), 'topology.json'), { seed: 1 });
}

const states = (r: SimulationResult, node: string): string[] => r.transitions.filter((t) => t.node === node).map((t) => t.to);

test('use_vmac NAME MAC: one master through the VMACs; the VMAC goes down with its parent and lb2 takes over', () => {
  const r = run(config('use_vmac vm51 02:11:22:33:44:55'), [
    { at: '10s', link: { node: 'lb1', interface: 'eth0', up: false } },
    { at: '20s', link: { node: 'lb1', interface: 'eth0', up: true } },
  ]);
  assert.deepEqual(states(r, 'lb1'), ['BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'MASTER']);
  assert.deepEqual(states(r, 'lb2'), ['BACKUP', 'MASTER', 'BACKUP']);
  // lb2 heard lb1's advertisements on its own VMAC until 10 s: it became master only after the link went down.
  const lb2Master = r.transitions.find((t) => t.node === 'lb2' && t.to === 'MASTER')!.t_ms;
  assert.ok(lb2Master > 10_000, `lb2 master at ${lb2Master}`);
  for (const inv of r.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
});

test('use_ipvlan with an address: elected through the ipvlan, the address the source', () => {
  // Equal priorities: the higher source address wins (RFC 5798 §6.4.3). By eth0's addresses lb2 (.12) would win;
  // by the ipvlans' lb1 (.32 against .22) does.
  const r = run(config('@lb1 use_ipvlan ipv51 192.168.77.32/24\n    @lb2 use_ipvlan ipv51 192.168.77.22/24').replace('@lb1 priority 150', '@lb1 priority 100'));
  // Both time out together; lb2 hears lb1's higher source and steps down, lb1 stays.
  assert.deepEqual(states(r, 'lb1'), ['BACKUP', 'MASTER']);
  assert.deepEqual(states(r, 'lb2'), ['BACKUP', 'MASTER', 'BACKUP']);
  assert.deepEqual(r.vips.at(-1), { ...r.vips.at(-1)!, node: 'lb2', action: 'del' });
});

test('use_ipvlan without an address on an IPv4 instance: FAULT for good, no address held', () => {
  const r = run(config('use_ipvlan'));
  assert.deepEqual(states(r, 'lb1'), ['FAULT']);
  assert.deepEqual(states(r, 'lb2'), ['FAULT']);
  assert.deepEqual(r.vips, []);
});
