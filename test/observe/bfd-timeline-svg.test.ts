/**
 * BFD sessions in the timeline picture (`vigil sim --svg`, `vigil replay --svg`: observe/page/timeline-svg.ts):
 * the fold of a simulated run (observe/timeline-model.ts) keeps each session's changes of state, and the picture
 * draws a lane per session after the instances' (`node bfd:NAME`), a band per state in its colour, a BFD legend,
 * and no VIP bar on a session's lane when a reboot clears its node's addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InspectionStream } from '../../observe/inspection-stream.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { timelineSvg } from '../../observe/page/timeline-svg.js';
import { foldEvents } from '../../observe/timeline-model.js';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { checkXml } from './xml-check.js';

const session = (name: string, neighbor: string): string => `bfd_instance ${name} {\n  neighbor_ip ${neighbor}\n  min_rx 10\n  min_tx 10\n  multiplier 3\n}\n`;
const LB = `${session('gw', '192.168.77.1')}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    192.168.77.100/24\n  }\n  track_bfd {\n    gw\n  }\n}\n`;

test('the timeline picture has a lane per BFD session, its states in their colours, and a BFD legend', () => {
  const text = JSON.stringify({
    duration: '6s',
    network: { latency: '0.2ms' },
    nodes: {
      lb1: { config: LB, interfaces: { eth0: '192.168.77.11/24' } },
      gw: { config: session('lb1', '192.168.77.11'), interfaces: { eth0: '192.168.77.1/24' } },
    },
    events: [{ at: '4s', link: { node: 'gw', interface: 'eth0', up: false } }],
  });
  const events: ObservedEvent[] = [];
  const result = runSimulation(parseScenario(text, 'bfd-svg.json'), {
    seed: 1,
    observe: ({ bus, clock }) => {
      const stream = new InspectionStream(clock);
      stream.attachBus(bus);
      stream.events$.subscribe((e) => events.push(e));
      return stream;
    },
  });
  const timeline = foldEvents(events);
  const lb1 = timeline.bfd.filter((b) => b.node === 'lb1' && b.session === 'gw');
  assert.deepEqual(lb1.map((b) => b.to), ['Init', 'Up', 'Down']);
  // A reboot's '-' removal of lb1's addresses names no instance: it is the instance lanes' business alone.
  const vips = [...timeline.addressChanges, { t_ms: 5000, node: 'lb1', instance: '-', address: '192.168.77.100/24', action: 'del' as const }];
  const svg = timelineSvg({ transitions: timeline.transitions, vips, faults: timeline.faults, bfd: timeline.bfd, processes: timeline.processes, startMs: 0, endMs: result.duration_ms, title: 'bfd' });
  checkXml(svg);
  const lanes = [...svg.matchAll(/<text x="8" y="[\d.]+" class="lane-label">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(lanes, ['lb1 VI_1', 'gw bfd:lb1', 'lb1 bfd:gw'], 'the sessions after the instances, in the order of their first change');
  const bands = [...svg.matchAll(/<rect class="seg" data-lane="lb1 bfd:gw" data-state="(\w+)"[^>]* fill="(#[0-9a-f]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(bands, ['Init #d4a72c', 'Up #2da44e', 'Down #cf222e']);
  assert.equal([...svg.matchAll(/class="legend-bfd"/g)].length, 4);
  assert.equal([...svg.matchAll(/class="vip" data-lane="lb1 bfd:gw"/g)].length, 0);
  // Without sessions, no BFD legend (and the picture of a VRRP-only run is as it was).
  assert.doesNotMatch(timelineSvg({ transitions: timeline.transitions, vips, faults: [], startMs: 0, endMs: 6000 }), /legend-bfd/);
});
