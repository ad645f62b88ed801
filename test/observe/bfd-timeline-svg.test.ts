/**
 * BFD sessions in the timeline picture (`vigil sim --svg`, `vigil replay --svg`: observe/page/timeline-svg.ts):
 * the fold of a simulated run (observe/timeline-model.ts) keeps each session's changes of state, and the picture
 * draws a lane per session after the instances' (`node bfd:NAME`), a band per state in its colour, a BFD legend,
 * and no VIP bar on a session's lane when a reboot clears its node's addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineSvg } from '../../observe/page/timeline-svg.js';
import { foldEvents } from '../../observe/timeline-model.js';
import { bfdGatewayRun } from './bfd-gateway-run.js';
import { checkXml } from './xml-check.js';


test('the timeline picture has a lane per BFD session, its states in their colours, and a BFD legend', () => {
  const { events, durationMs } = bfdGatewayRun();
  const timeline = foldEvents(events);
  const lb1 = timeline.bfd.filter((b) => b.node === 'lb1' && b.session === 'gw');
  assert.deepEqual(lb1.map((b) => b.to), ['Init', 'Up', 'Down']);
  // A reboot's '-' removal of lb1's addresses names no instance: it is the instance lanes' business alone.
  const vips = [...timeline.addressChanges, { t_ms: 5000, node: 'lb1', instance: '-', address: '192.168.77.100/24', action: 'del' as const }];
  const svg = timelineSvg({ transitions: timeline.transitions, vips, faults: timeline.faults, bfd: timeline.bfd, processes: timeline.processes, startMs: 0, endMs: durationMs, title: 'bfd' });
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
