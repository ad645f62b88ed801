/**
 * A vrrp_sync_group's own tracking in the simulator, through the node assembly the daemon runs: the group's
 * tracked objects reach every member as keepalived 2.2.7 applies them (vrrp.c sync_group_tracking_init) - weight 0
 * puts every member in FAULT at the tracker's own time and brings them back together, a weight moves every
 * member's priority - and a member's own weighted tracking counts only with sync_group_tracking_weight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulationResult } from '../../sim/run.js';
import { runWithSeries, type Series } from './context-series.js';

/** lb1 (150) and lb2 (100) share one configuration: VI_1 and VI_2 on eth0, in sync group G; `@lb1` lines are lb1's. */
function config(objects: string, group: string, vi1 = ''): string {
  const member = (name: string, vrid: number, vip: string, extra: string): string => `vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    @lb1 priority 150
    @lb2 priority 100
    advert_int 1
    virtual_ipaddress {
        ${vip}/24
    }
${extra}
}
`;
  return `${objects}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
${group}
}
${member('VI_1', 51, '192.168.77.100', vi1)}${member('VI_2', 52, '192.168.77.101', '')}`;
}

function scenarioText(conf: string, events: unknown[], duration = '45s'): string {
  return JSON.stringify({
    duration,
    network: { latency: '1ms' },
    nodes: {
      lb1: { config: conf, interfaces: { eth0: '192.168.77.11/24', eth1: '10.0.1.11/24' } },
      lb2: { config: conf, interfaces: { eth0: '192.168.77.12/24', eth1: '10.0.1.12/24' } },
    },
    events,
  });
}

/** Each change of an instance's effective priority, with its virtual time, per "node/instance". */
type Priorities = Series<number>;

function run(text: string): { result: SimulationResult; priorities: Priorities } {
  const { result, series } = runWithSeries(text, 'sync-tracking.json', (id, context) => {
    const priority = context['effectivePriority'];
    return id.startsWith('VI_') && typeof priority === 'number' ? priority : undefined;
  });
  return { result, priorities: series };
}

/** A node's transitions as [time, instance, from, to]. */
function transitionsOf(result: SimulationResult, node: string): [number, string, string, string][] {
  return result.transitions.filter((t) => t.node === node).map((t) => [t.t_ms, t.instance, t.from, t.to]);
}

const SCRIPT = `vrrp_script chk_group {
    script "/usr/local/bin/check-uplink"
    interval 2
    fall 3
    rise 2
}`;

test('a script only the sync group tracks, weight 0: every member FAULT at the run that sees the third failure, BACKUP together at the second success', () => {
  const { result } = run(
    scenarioText(config(SCRIPT, '    track_script {\n        chk_group\n    }'), [
      { at: '10.5s', track: { node: 'lb1', id: 'script:chk_group', up: false } },
      { at: '30.5s', track: { node: 'lb1', id: 'script:chk_group', up: true } },
    ]),
  );
  // The script runs every 2 s: it fails at 12, 14, 16 s (fall 3) and succeeds at 32, 34 s (rise 2).
  const lb1 = transitionsOf(result, 'lb1').filter(([t]) => t >= 10_000 && t <= 34_000);
  assert.deepEqual(lb1, [
    [16_000, 'VI_1', 'MASTER', 'FAULT'],
    [16_000, 'VI_2', 'MASTER', 'FAULT'],
    [34_000, 'VI_1', 'FAULT', 'BACKUP'],
    [34_000, 'VI_2', 'FAULT', 'BACKUP'],
  ]);
  // lb2 takes both addresses while lb1 is in FAULT, and gives them back once lb1 (150) preempts again.
  const lb2Masters = transitionsOf(result, 'lb2').filter(([, , , to]) => to === 'MASTER');
  assert.deepEqual(lb2Masters.map(([, instance]) => instance).sort(), ['VI_1', 'VI_2']);
  for (const [t] of lb2Masters) assert.ok(t > 16_000 && t < 16_000 + 3_700, `lb2 master at ${t}`);
  const lb1Back = transitionsOf(result, 'lb1').filter(([t, , , to]) => t > 34_000 && to === 'MASTER');
  assert.deepEqual(lb1Back.map(([, instance]) => instance).sort(), ['VI_1', 'VI_2']);
  for (const inv of result.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
});

test("a sync group's track_interface: the link going down puts every member in FAULT at once, its return brings them back", () => {
  const { result } = run(
    scenarioText(config('', '    track_interface {\n        eth1\n    }'), [
      { at: '10s', link: { node: 'lb1', interface: 'eth1', up: false } },
      { at: '20s', link: { node: 'lb1', interface: 'eth1', up: true } },
    ], '30s'),
  );
  assert.deepEqual(transitionsOf(result, 'lb1').filter(([t]) => t >= 10_000 && t <= 20_000), [
    [10_000, 'VI_1', 'MASTER', 'FAULT'],
    [10_000, 'VI_2', 'MASTER', 'FAULT'],
    [20_000, 'VI_1', 'FAULT', 'BACKUP'],
    [20_000, 'VI_2', 'FAULT', 'BACKUP'],
  ]);
  // eth1 of lb2 never went down: its members only follow lb1 (to MASTER after 10 s).
  assert.ok(transitionsOf(result, 'lb2').every(([, , , to]) => to !== 'FAULT'));
});

test("a sync group's weighted script moves every member's own priority; the members move together to the peer", () => {
  const { result, priorities } = run(
    scenarioText(config(SCRIPT, '    track_script {\n        chk_group weight -60\n    }'), [
      { at: '10.5s', track: { node: 'lb1', id: 'script:chk_group', up: false } },
      { at: '30.5s', track: { node: 'lb1', id: 'script:chk_group', up: true } },
    ]),
  );
  for (const instance of ['VI_1', 'VI_2']) {
    assert.deepEqual(priorities.get(`lb1/${instance}`), [
      [0, 150],
      [16_000, 90],
      [34_000, 150],
    ], instance);
    assert.deepEqual(priorities.get(`lb2/${instance}`), [[0, 100]], instance);
  }
  // No FAULT: lb1 (90) yields both to lb2 (100), and takes them back at 150.
  assert.ok(result.transitions.every((t) => t.to !== 'FAULT'));
  const lb1 = transitionsOf(result, 'lb1').filter(([t]) => t > 10_000);
  assert.deepEqual(lb1.map(([, instance, from, to]) => `${instance} ${from}->${to}`).sort(), ['VI_1 BACKUP->MASTER', 'VI_1 MASTER->BACKUP', 'VI_2 BACKUP->MASTER', 'VI_2 MASTER->BACKUP']);
  for (const [t, , from] of lb1) assert.ok(from === 'MASTER' ? t > 16_000 && t < 20_000 : t > 34_000, `${from} at ${t}`);
});

test("sync_group_tracking_weight (or global_tracking): a member's own weighted script counts with it and is not tracked at all without it", () => {
  const member = `vrrp_script chk_member {
    script "/usr/local/bin/check-member"
    interval 1
    weight -30
}`;
  const events = [{ at: '10.5s', track: { node: 'lb1', id: 'script:chk_member', up: false } }];
  const without = run(scenarioText(config(member, '', '    track_script {\n        chk_member\n    }'), events, '20s'));
  assert.deepEqual(without.priorities.get('lb1/VI_1'), [[0, 150]]);
  assert.deepEqual(transitionsOf(without.result, 'lb1').filter(([t]) => t > 10_000), []);
  // global_tracking is keepalived's deprecated spelling of sync_group_tracking_weight (vrrp_parser.c sets the same flag).
  for (const keyword of ['sync_group_tracking_weight', 'global_tracking']) {
    const withWeight = run(scenarioText(config(member, `    ${keyword}`, '    track_script {\n        chk_member\n    }'), events, '20s'));
    // The first failing run is at 11 s (fall 1): VI_1 alone drops to 120; VI_2 stays at 150.
    assert.deepEqual(withWeight.priorities.get('lb1/VI_1'), [
      [0, 150],
      [11_000, 120],
    ], keyword);
    assert.deepEqual(withWeight.priorities.get('lb1/VI_2'), [[0, 150]], keyword);
  }
});

test("a sync group's track_file: a non-zero value with weight 0 puts every member in FAULT at the next read, 0 brings them back", () => {
  const file = `vrrp_track_file maint {
    file /run/vigil/maintenance
}`;
  const { result } = run(
    scenarioText(config(file, '    track_file {\n        maint weight 0\n    }'), [
      { at: '10.3s', track: { node: 'lb1', id: 'file:maint', value: 1 } },
      { at: '20.5s', track: { node: 'lb1', id: 'file:maint', up: true } },
    ], '30s'),
  );
  // The file is read every second: the change at 10.3 s is seen at 11 s, the one at 20.5 s at 21 s.
  assert.deepEqual(transitionsOf(result, 'lb1').filter(([t]) => t >= 10_000 && t <= 21_000), [
    [11_000, 'VI_1', 'MASTER', 'FAULT'],
    [11_000, 'VI_2', 'MASTER', 'FAULT'],
    [21_000, 'VI_1', 'FAULT', 'BACKUP'],
    [21_000, 'VI_2', 'FAULT', 'BACKUP'],
  ]);
  assert.deepEqual(transitionsOf(result, 'lb2').filter(([, , , to]) => to === 'MASTER').map(([, instance]) => instance).sort(), ['VI_1', 'VI_2']);
});

test("a sync group's weighted track_file moves every member's priority by value times weight", () => {
  const file = `vrrp_track_file maint {
    file /run/vigil/maintenance
}`;
  const { priorities } = run(
    scenarioText(config(file, '    track_file {\n        maint weight -20\n    }'), [
      { at: '10.3s', track: { node: 'lb1', id: 'file:maint', value: 3 } },
      { at: '20.5s', track: { node: 'lb1', id: 'file:maint', up: true } },
    ], '30s'),
  );
  for (const instance of ['VI_1', 'VI_2']) {
    assert.deepEqual(priorities.get(`lb1/${instance}`), [
      [0, 150],
      [11_000, 90],
      [21_000, 150],
    ], instance);
  }
});

test("a sync group's track_process: the process exiting puts every member in FAULT at once (the kernel tells), its return brings them back", () => {
  const process = `vrrp_track_process web {
    process nginx
    weight 0
}`;
  const { result } = run(
    scenarioText(config(process, '    track_process {\n        web\n    }'), [
      { at: '10.5s', track: { node: 'lb1', id: 'process:web', up: false } },
      { at: '20.2s', track: { node: 'lb1', id: 'process:web', up: true } },
    ], '30s'),
  );
  assert.deepEqual(transitionsOf(result, 'lb1').filter(([t]) => t >= 10_000 && t <= 21_000), [
    [10_500, 'VI_1', 'MASTER', 'FAULT'],
    [10_500, 'VI_2', 'MASTER', 'FAULT'],
    [20_200, 'VI_1', 'FAULT', 'BACKUP'],
    [20_200, 'VI_2', 'FAULT', 'BACKUP'],
  ]);
  assert.ok(transitionsOf(result, 'lb2').every(([, , , to]) => to !== 'FAULT'));
});
