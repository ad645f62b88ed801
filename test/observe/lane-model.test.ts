/**
 * The page's lane model (observe/page/lane-model.ts), without a browser: lanes from transition records, VIP
 * periods, DOWN bands from process records (the state at a time inside one is DOWN, whatever the last state
 * was), grouping by node / VRID / interface, identical histories merged at the resolution asked for, the filter
 * words, "changed in" a window, and collapsed groups; and from a simulated run, the VRID, interface and sync
 * group the transitions name, and the process records of a crash; and a recording whose older files were rotated
 * away, where the lanes start from the actors' states and a node still down stays DOWN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLaneModel, type LaneQuery } from '../../observe/page/lane-model.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightRecorder } from '../../observe/flight-recorder.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { readRecording } from '../../observe/recording-reader.js';
import { foldEvents } from '../../observe/timeline-model.js';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { bfdGatewayRun } from './bfd-gateway-run.js';
import { observeInto } from './observe-into.js';

const tr = (at: number, node: string, vrid: number, from: string, to: string): ObservedEvent =>
  ({ kind: 'bus', at, message: { kind: 'transition', at, node, instance: `VI_${vrid}`, from, to, priority: 100, vrid, interface: vrid > 2 ? 'eth1' : 'eth0' } }) as ObservedEvent;
const vip = (at: number, node: string, instance: string, vrid: number, action: 'add' | 'del'): ObservedEvent => ({
  kind: 'bus',
  at,
  message: { kind: 'vip', at, node, instance, address: `10.0.0.${vrid}/32`, action },
});

function site() {
  const m = createLaneModel();
  const events: ObservedEvent[] = [];
  for (const node of ['r1', 'r2']) for (let v = 1; v <= 4; v++) events.push(tr(0, node, v, 'INIT', 'BACKUP'));
  // r1 masters all four; VI_4's takeover comes 50 ms after the others.
  for (let v = 1; v <= 4; v++) {
    events.push(tr(v === 4 ? 3650 : 3600 + v, 'r1', v, 'BACKUP', 'MASTER'));
    events.push(vip(3600 + v, 'r1', `VI_${v}`, v, 'add'));
  }
  // r1's process crashes at 10 s and restarts at 20 s (its addresses cleared then).
  events.push({ kind: 'fault', at: 10_000, text: 'crash r1' }, { kind: 'process', at: 10_000, node: 'r1', up: false, cause: 'crash' });
  for (let v = 1; v <= 4; v++) events.push(tr(13_000 + v, 'r2', v, 'BACKUP', 'MASTER'));
  for (let v = 1; v <= 4; v++) events.push(vip(20_000, 'r1', '-', v, 'del'));
  events.push({ kind: 'process', at: 20_000, node: 'r1', up: true, cause: 'restart' });
  for (const e of events) m.add(e);
  return m;
}

const query = (q: Partial<LaneQuery>): LaneQuery => ({ groupBy: 'node', filter: '', collapsed: new Set(), expanded: new Set(), quantumMs: 1, at: 15_000, ...q });

test('lanes, VIP periods and the DOWN band', () => {
  const m = site();
  assert.equal(m.lanes.length, 8);
  const r1 = m.lanes.find((l) => l.key === 'r1 VI_1')!;
  assert.deepEqual(r1.segments.map((s) => s.state), ['BACKUP', 'MASTER']);
  // The VIPs stay through the crash (left in the kernel) and go with the restart's cleanup.
  assert.deepEqual(r1.vips, [{ from: 3601, to: 20_000 }]);
  assert.deepEqual(m.downs.get('r1'), [{ from: 10_000, to: 20_000, cause: 'crash' }]);
  assert.equal(m.stateAt(r1, 9_999), 'MASTER');
  assert.equal(m.stateAt(r1, 10_000), 'DOWN');
  assert.equal(m.stateAt(r1, 20_000), 'MASTER');
  assert.equal(m.stateAt(r1, -1), '');
  assert.equal(m.faults.length, 1);
});

test('grouping and merging: identical histories at the quantum become one row with its members', () => {
  const m = site();
  const fine = m.rows(query({ quantumMs: 1 })).rows;
  assert.deepEqual(
    fine.map((r) => (r.kind === 'group' ? `[${r.label}]` : `${r.lane.key}×${r.members.length}`)),
    ['[r1]', 'r1 VI_1×1', 'r1 VI_2×1', 'r1 VI_3×1', 'r1 VI_4×1', '[r2]', 'r2 VI_1×1', 'r2 VI_2×1', 'r2 VI_3×1', 'r2 VI_4×1'],
  );
  // At 20 ms a pixel, r1's first three lanes look the same and VI_4 (50 ms later) does not; r2's four do.
  const coarse = m.rows(query({ quantumMs: 20 })).rows;
  assert.deepEqual(
    coarse.map((r) => (r.kind === 'group' ? `[${r.label}]` : `${r.lane.key}×${r.members.length}`)),
    ['[r1]', 'r1 VI_1×3', 'r1 VI_4×1', '[r2]', 'r2 VI_1×4'],
  );
  // An opened row lists its other members after it.
  const opened = m.rows(query({ quantumMs: 20, expanded: new Set(['r2 VI_1']) })).rows.filter((r) => r.kind === 'lane' && r.lane.node === 'r2');
  assert.deepEqual(opened.map((r) => (r.kind === 'lane' ? `${r.lane.key}${r.member ? ' (member)' : ''}` : '')), ['r2 VI_1', 'r2 VI_2 (member)', 'r2 VI_3 (member)', 'r2 VI_4 (member)']);
  // By VRID: one group per virtual router with each node's lane; by interface: two groups.
  const byVrid = m.rows(query({ groupBy: 'vrid' })).rows.filter((r) => r.kind === 'group');
  assert.deepEqual(byVrid.map((r) => (r.kind === 'group' ? `${r.label}:${r.lanes.length}` : '')), ['VRID 1 on eth0:2', 'VRID 2 on eth0:2', 'VRID 3 on eth1:2', 'VRID 4 on eth1:2']);
  const byIf = m.rows(query({ groupBy: 'interface' })).rows.filter((r) => r.kind === 'group');
  assert.deepEqual(byIf.map((r) => (r.kind === 'group' ? r.label : '')), ['interface eth0', 'interface eth1']);
  // A collapsed group keeps its header only.
  const collapsed = m.rows(query({ collapsed: new Set(['node:r1']) })).rows;
  assert.deepEqual(collapsed.slice(0, 2).map((r) => r.kind), ['group', 'group']);
});

test('the filter: plain words, field=value, state at the cursor; changed in a window', () => {
  const m = site();
  const keys = (q: Partial<LaneQuery>): string[] => m.rows(query(q)).matching.map((l) => l.key);
  assert.deepEqual(keys({ filter: 'vi_3' }), ['r1 VI_3', 'r2 VI_3']);
  assert.deepEqual(keys({ filter: 'node=r2 vrid=4' }), ['r2 VI_4']);
  assert.deepEqual(keys({ filter: 'interface=eth1 r1' }), ['r1 VI_3', 'r1 VI_4']);
  assert.equal(keys({ filter: 'state=down', at: 15_000 }).length, 4);
  assert.equal(keys({ filter: 'state=down', at: 25_000 }).length, 0);
  assert.deepEqual(keys({ filter: 'state=master', at: 5_000 }), ['r1 VI_1', 'r1 VI_2', 'r1 VI_3', 'r1 VI_4']);
  // In 12-14 s only r2 changed; in 19-21 s only r1 (its DOWN band ends); the first state is not a change.
  assert.deepEqual(keys({ changedIn: { from: 12_000, to: 14_000 } }), ['r2 VI_1', 'r2 VI_2', 'r2 VI_3', 'r2 VI_4']);
  assert.deepEqual(keys({ changedIn: { from: 19_000, to: 21_000 } }), ['r1 VI_1', 'r1 VI_2', 'r1 VI_3', 'r1 VI_4']);
  assert.deepEqual(keys({ changedIn: { from: -1, to: 1_000 } }), []);
});

test('a simulated site: transitions name VRID, interface and sync group; lanes group by each, DOWN from the crash', () => {
  const instance = (name: string, vrid: number, priority: number): string =>
    `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${priority}\n  advert_int 1\n  virtual_ipaddress {\n    192.168.77.${100 + vrid}/24\n  }\n}\n`;
  const conf = (priority: number): string =>
    `vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n${instance('VI_1', 51, priority)}${instance('VI_2', 52, priority)}${instance('VI_3', 53, priority)}`;
  const text = JSON.stringify({
    duration: '30s',
    network: { latency: '1ms' },
    nodes: { lb1: { config: conf(150), interfaces: { eth0: '192.168.77.11/24' } }, lb2: { config: conf(100), interfaces: { eth0: '192.168.77.12/24' } } },
    events: [
      { at: '10s', crash: 'lb1' },
      { at: '20s', restart: 'lb1' },
    ],
  });
  const m = createLaneModel();
  runSimulation(parseScenario(text, 'groups.json'), {
    seed: 1,
    observe: observeInto((e) => m.add(e)),
  });
  const groups = (by: LaneQuery['groupBy']): string[] =>
    m.rows(query({ groupBy: by })).rows.flatMap((r) => (r.kind === 'group' ? [`${r.label}: ${r.lanes.map((l) => l.key).join(' ')}`] : []));
  assert.deepEqual(groups('group'), ['sync group G: lb1 VI_1 lb1 VI_2 lb2 VI_1 lb2 VI_2', '(in no sync group): lb1 VI_3 lb2 VI_3']);
  assert.deepEqual(groups('vrid'), ['VRID 51 on eth0: lb1 VI_1 lb2 VI_1', 'VRID 52 on eth0: lb1 VI_2 lb2 VI_2', 'VRID 53 on eth0: lb1 VI_3 lb2 VI_3']);
  assert.deepEqual(m.downs.get('lb1'), [{ from: 10_000, to: 20_000, cause: 'crash' }]);
  assert.equal(m.downs.get('lb2'), undefined);
  const lb1 = m.lanes.find((l) => l.key === 'lb1 VI_1')!;
  assert.equal(m.stateAt(lb1, 9_000), 'MASTER');
  assert.equal(m.stateAt(lb1, 15_000), 'DOWN');
  assert.equal(m.rows(query({ filter: 'group=g node=lb2' })).matching.length, 2);
});

test('a rotated recording: every lane starts in the state its actor had when the kept files begin, DOWN carried on', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lanes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'run.vrec');
  const conf = (priority: number): string =>
    [1, 2, 3].map((v) => `vrrp_instance VI_${v} {\n  interface eth0\n  virtual_router_id ${v}\n  priority ${priority}\n  advert_int 1\n  virtual_ipaddress {\n    192.168.77.${100 + v}/24\n  }\n}\n`).join('');
  const text = JSON.stringify({
    duration: '60s',
    network: { latency: '1ms' },
    nodes: { lb1: { config: conf(150), interfaces: { eth0: '192.168.77.11/24' } }, lb2: { config: conf(100), interfaces: { eth0: '192.168.77.12/24' } } },
    // lb2 stops at 20 s and stays down: the files kept after rotation begin later.
    events: [{ at: '20s', stop: 'lb2' }],
  });
  const whole = createLaneModel();
  const all: ObservedEvent[] = [];
  let stream: InspectionStream | undefined;
  runSimulation(parseScenario(text, 'rotated.json'), {
    seed: 1,
    observe: ({ bus, clock }) => {
      stream = new InspectionStream(clock);
      stream.attachBus(bus);
      stream.events$.subscribe((e) => {
        whole.add(e);
        all.push(e);
      });
      new FlightRecorder({ path, source: 'sim', maxBytes: 4_000, keep: 1 }).attach(stream.events$);
      return stream;
    },
  });
  stream!.complete();
  const recording = readRecording(path);
  const firstBus = Math.min(...recording.events.filter((e) => e.kind === 'bus').map((e) => e.at));
  assert.ok(recording.files.length === 2 && firstBus > 25_000, `${recording.files.length} files, the kept ones from ${firstBus} ms`);
  const m = createLaneModel();
  for (const e of recording.events) m.add(e);
  // No transition of the kept files names these lanes, yet each has its state: lb1 masters, lb2 is DOWN.
  assert.deepEqual(m.lanes.map((l) => l.key).sort(), ['lb1 VI_1', 'lb1 VI_2', 'lb1 VI_3', 'lb2 VI_1', 'lb2 VI_2', 'lb2 VI_3']);
  for (const lane of m.lanes) {
    assert.equal(m.stateAt(lane, 59_000), lane.node === 'lb1' ? 'MASTER' : 'DOWN', lane.key);
    assert.equal(m.stateAt(lane, 59_000), whole.stateAt(whole.lanes.find((l) => l.key === lane.key)!, 59_000), lane.key);
  }
  // A whole recording's lanes are the transitions, no more: the seeds gave way to them.
  const transitions = whole.lanes.reduce((n, l) => n + l.segments.length, 0);
  assert.equal(transitions, foldEvents(all).transitions.length);
});

const bfd = (at: number, node: string, session: string, from: string, to: string, diag = 0): ObservedEvent =>
  ({ kind: 'bus', at, message: { kind: 'bfd', at, node, session, neighbor: '192.168.77.1', from, to, diag } }) as ObservedEvent;

test('BFD sessions are lanes of their own: Down, Init, Up bands from the bfd records, grouped apart, filtered by kind', () => {
  const m = site();
  for (const e of [bfd(100, 'r1', 'gw', 'Down', 'Init'), bfd(120, 'r1', 'gw', 'Init', 'Up'), bfd(5_000, 'r1', 'gw', 'Up', 'Down', 1), bfd(130, 'r2', 'gw', 'Down', 'Up')]) m.add(e);
  const lane = m.lanes.find((l) => l.key === 'r1 bfd:gw')!;
  assert.equal(lane.kind, 'bfd');
  assert.equal(lane.neighbor, '192.168.77.1');
  assert.deepEqual(lane.segments, [{ t: 100, state: 'Init' }, { t: 120, state: 'Up' }, { t: 5_000, state: 'Down' }]);
  assert.equal(m.stateAt(lane, 110), 'Init');
  assert.equal(m.stateAt(lane, 4_999), 'Up');
  assert.equal(m.stateAt(lane, 5_000), 'Down');
  // Its node's process down: DOWN over the session too.
  assert.equal(m.stateAt(lane, 15_000), 'DOWN');
  // A reboot's '-' VIP removal is no business of a session's lane.
  assert.deepEqual(lane.vips, []);
  // By node, with the node's instances; by VRID (or interface, or group), in a group of their own.
  const byNode = m.rows(query({ groupBy: 'node' })).rows;
  assert.ok(byNode.some((r) => r.kind === 'lane' && r.lane.key === 'r1 bfd:gw'));
  const byVrid = m.rows(query({ groupBy: 'vrid' })).rows.filter((r) => r.kind === 'group');
  assert.deepEqual(byVrid.map((r) => (r.kind === 'group' ? `${r.label}:${r.lanes.map((l) => l.key).join(',')}` : '')).at(-1), 'BFD sessions:r1 bfd:gw,r2 bfd:gw');
  const keys = (q: Partial<LaneQuery>): string[] => m.rows(query(q)).matching.map((l) => l.key);
  assert.deepEqual(keys({ filter: 'kind=bfd' }), ['r1 bfd:gw', 'r2 bfd:gw']);
  assert.deepEqual(keys({ filter: 'kind=bfd state=up', at: 4_000 }), ['r1 bfd:gw', 'r2 bfd:gw']);
  assert.deepEqual(keys({ filter: 'neighbor=192.168.77.1 node=r2' }), ['r2 bfd:gw']);
  assert.equal(keys({ filter: 'kind=vrrp' }).length, 8);
  // A change of a session's state is a change in the window.
  assert.deepEqual(keys({ changedIn: { from: 4_000, to: 6_000 } }), ['r1 bfd:gw']);
});

test('a simulated BFD site: the tracking node\'s session to a gateway that dies is Up, then Down one Detection Time later', () => {
  const m = createLaneModel();
  for (const e of bfdGatewayRun('crash').events) m.add(e);
  assert.deepEqual(m.lanes.map((l) => `${l.key} ${l.kind}`).sort(), ['gw bfd:lb1 bfd', 'lb1 VI_1 vrrp', 'lb1 bfd:gw bfd']);
  const lane = m.lanes.find((l) => l.key === 'lb1 bfd:gw')!;
  assert.equal(m.stateAt(lane, 3_900), 'Up');
  const down = lane.segments.find((s) => s.state === 'Down' && s.t > 4_000)!;
  assert.ok(down && down.t - 4_000 <= 30 + 0.2 + 1e-6, `Down ${down?.t} ms`);
  // The instance tracking it: FAULT at the same moment (track_bfd, weight 0).
  const vi = m.lanes.find((l) => l.key === 'lb1 VI_1')!;
  assert.equal(m.stateAt(vi, down.t), 'FAULT');
  assert.equal(m.stateAt(m.lanes.find((l) => l.key === 'gw bfd:lb1')!, 5_000), 'DOWN', 'the crashed gateway: its process DOWN');
});
