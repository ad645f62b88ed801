/**
 * `auth_type AH` in a simulation scenario (what `vigil sim` runs): the same passwords elect one master at the
 * time the RFC implies, a crash hands over and the restarted router (counting from 1 again) preempts back; a
 * different password is dropped and counted, and both become master. Same seed, same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, simulationJson, type SimulationResult } from '../../sim/run.js';

function instance(priority: number, password: string): string {
  return `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    authentication {
      auth_type AH
      auth_pass ${password}
    }
    virtual_ipaddress {
      192.168.77.100/24
    }
  }`;
}

function run(lb2Password: string, events: unknown[] = [], seed = 1): SimulationResult {
  const spec = {
    duration: '40s',
    network: { latency: '1ms' },
    nodes: {
      lb1: { config: instance(100, 'secret'), interfaces: { eth0: '192.168.77.11/24' } },
      lb2: { config: instance(90, lb2Password), interfaces: { eth0: '192.168.77.12/24' } },
    },
    events,
  };
  return runSimulation(parseScenario(JSON.stringify(spec), 'ah.json'), { seed });
}

const masters = (r: SimulationResult, node: string): number[] => r.transitions.filter((t) => t.node === node && t.to === 'MASTER').map((t) => t.t_ms);

test('same password: one master on time; crash, takeover, restart and preemption back', () => {
  const r = run('secret', [
    { at: '10500ms', crash: 'lb1' },
    { at: '20s', restart: 'lb1' },
  ]);
  assert.deepEqual(masters(r, 'lb1').slice(0, 1), [3609.375]);
  assert.equal(masters(r, 'lb2').length, 1, 'lb2 took over once, after the crash');
  assert.ok(masters(r, 'lb2')[0]! > 10_500);
  assert.equal(masters(r, 'lb1').length, 2, 'lb1 preempted back after its restart');
  for (const inv of r.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
  assert.equal(r.stats.packets_dropped['auth'] ?? 0, 0);
  assert.equal(simulationJson(r), simulationJson(run('secret', [{ at: '10500ms', crash: 'lb1' }, { at: '20s', restart: 'lb1' }])));
});

test('a different password: each drops the other as an authentication failure, both are master', () => {
  const r = run('wrong');
  assert.deepEqual(masters(r, 'lb1'), [3609.375]);
  assert.equal(masters(r, 'lb2').length, 1);
  assert.ok((r.stats.packets_dropped['auth'] ?? 0) >= 50, JSON.stringify(r.stats.packets_dropped));
});
