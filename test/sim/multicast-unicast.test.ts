/**
 * Multicast group and unicast keywords in the simulator, which runs the daemon's assembly: `mcast_dst_ip` and
 * `vrrp_mcast_group4` (who hears whom), `unicast_ttl` with a peer's `min_ttl` / `max_ttl`, `check_unicast_src`
 * and `unicast_fault_no_peer`, each judged by who becomes master. Addresses: lb1 192.168.77.11, lb2 .12, lb3 .13.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';

interface Node {
  readonly priority: number;
  /** Lines inside the vrrp_instance block. */
  readonly extra?: string;
  /** Text before the vrrp_instance block (global_defs). */
  readonly globals?: string;
}

function config(n: Node): string {
  return `${n.globals ?? ''}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${n.priority}
    advert_int 1
    ${n.extra ?? ''}
    virtual_ipaddress {
        192.168.77.100/24
    }
}`;
}

function run(nodes: Record<string, Node>, duration = '15s'): SimulationResult {
  const spec = {
    duration,
    network: { latency: '1ms' },
    nodes: Object.fromEntries(Object.entries(nodes).map(([name, n], i) => [name, { config: config(n), interfaces: { eth0: `192.168.77.${11 + i}/24` } }])),
    events: [],
  };
  return runSimulation(parseScenario(JSON.stringify(spec), 'multicast-unicast.json'), { seed: 1 });
}

function states(r: SimulationResult, node: string): string[] {
  return r.transitions.filter((t) => t.node === node).map((t) => t.to);
}

const masters = (r: SimulationResult): string[] => [...new Set(r.transitions.filter((t) => t.to === 'MASTER').map((t) => t.node))].sort();

const unicast = (peers: string, more = ''): string => `unicast_peer {\n${peers}\n}\n${more}`;

test('mcast_dst_ip: a pair on the same group elects one master; a node on another group hears neither', () => {
  const group = 'mcast_dst_ip 224.0.0.88';
  assert.deepEqual(masters(run({ lb1: { priority: 100, extra: group }, lb2: { priority: 90, extra: group } })), ['lb1']);
  const r = run({ lb1: { priority: 100, extra: group }, lb2: { priority: 90 } });
  assert.deepEqual(masters(r), ['lb1', 'lb2'], 'lb2 on 224.0.0.18 never hears lb1 on 224.0.0.88');
});

test('vrrp_mcast_group4 in global_defs moves every instance; mcast_dst_ip on an instance wins over it', () => {
  const globals = 'global_defs {\n vrrp_mcast_group4 224.0.0.77\n}';
  assert.deepEqual(masters(run({ lb1: { priority: 100, globals }, lb2: { priority: 90, extra: 'mcast_dst_ip 224.0.0.77' } })), ['lb1']);
  const r = run({ lb1: { priority: 100, globals }, lb2: { priority: 90 } });
  assert.deepEqual(masters(r), ['lb1', 'lb2']);
  assert.deepEqual(masters(run({ lb1: { priority: 100, globals, extra: 'mcast_dst_ip 224.0.0.18' }, lb2: { priority: 90 } })), ['lb1']);
});

test('unicast_ttl with min_ttl / max_ttl: in range one master; out of range dropped as ttl, two masters', () => {
  const lb1 = { priority: 100, extra: unicast('192.168.77.12', 'unicast_ttl 5') };
  const inRange = run({ lb1, lb2: { priority: 90, extra: unicast('192.168.77.11 min_ttl 5 max_ttl 5') } });
  assert.deepEqual(masters(inRange), ['lb1']);
  assert.equal(inRange.stats.packets_dropped['ttl'] ?? 0, 0);
  for (const range of ['min_ttl 6', 'max_ttl 4']) {
    const out = run({ lb1, lb2: { priority: 90, extra: unicast(`192.168.77.11 ${range}`) } });
    assert.deepEqual(masters(out), ['lb1', 'lb2'], range);
    assert.ok((out.stats.packets_dropped['ttl'] ?? 0) > 0, `${range}: ttl drops counted`);
  }
});

test('check_unicast_src: a stranger is heard unless it is set; with it, dropped as unicast_peer', () => {
  // lb2's only peer, lb1 (.11), advertises to someone else: lb2 hears only lb3 (.13, priority 200), a stranger.
  const nodes = (check: string): Record<string, Node> => ({
    lb1: { priority: 1, extra: unicast('192.168.77.99') },
    lb2: { priority: 90, extra: unicast('192.168.77.11', check) },
    lb3: { priority: 200, extra: unicast('192.168.77.12') },
  });
  const open = run(nodes(''));
  assert.ok(!masters(open).includes('lb2'), 'lb2 hears the stranger lb3 (priority 200) and stays backup');
  const checked = run(nodes('check_unicast_src'));
  assert.ok(masters(checked).includes('lb2'), 'lb2 drops lb3 and becomes master');
  assert.ok((checked.stats.packets_dropped['unicast_peer'] ?? 0) > 0);
  const global = run({ ...nodes(''), lb2: { priority: 90, extra: unicast('192.168.77.11'), globals: 'global_defs {\n vrrp_check_unicast_src\n}' } });
  assert.ok(masters(global).includes('lb2'), 'global_defs vrrp_check_unicast_src does the same');
});

test('unicast_fault_no_peer without peers: FAULT for good; the other node is master alone', () => {
  const r = run({ lb1: { priority: 100, extra: 'unicast_fault_no_peer' }, lb2: { priority: 90 } });
  assert.deepEqual(states(r, 'lb1'), ['FAULT']);
  assert.deepEqual(masters(r), ['lb2']);
  // With a peer it is an ordinary unicast instance.
  const peered = run({ lb1: { priority: 100, extra: unicast('192.168.77.12', 'unicast_fault_no_peer') }, lb2: { priority: 90, extra: unicast('192.168.77.11') } });
  assert.deepEqual(masters(peered), ['lb1']);
});
