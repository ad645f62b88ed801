/**
 * The track_process runtime (actors/trackers/process-trackers.ts) on the simulated host's process table and the
 * virtual clock: following the kernel's events (said in the log), or listing every second where the kernel does
 * not tell (said with the reason), and listing again after lost events, as keepalived's reinitialise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SimulatedProcessTable } from '../../sim/simulated-process-table.js';
import { ProcessTrackers } from '../../actors/trackers/process-trackers.js';
import type { ProcessMonitor, ProcessWatchSink } from '../../transport/process-monitor.js';
import type { TrackProcess } from '../../config/model.js';
import { trackProcessDefaults } from '../../config/keywords/trackers.js';

const block = (over: Partial<TrackProcess> = {}): TrackProcess => ({
  ...trackProcessDefaults('web', { file: 'keepalived.conf', line: 1 }),
  process: 'nginx',
  ...over,
});

function rig(blocks: TrackProcess[], monitorOf: (table: SimulatedProcessTable) => ProcessMonitor = (t) => t, kernel?: ConstructorParameters<typeof SimulatedProcessTable>[1]) {
  const clock = new VirtualClock();
  const table = new SimulatedProcessTable(clock, kernel);
  const lines: string[] = [];
  const reports: [number, string, boolean][] = [];
  const log = { debug: () => {}, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(`WARN ${m}`), error: (m: string) => void lines.push(`ERROR ${m}`) };
  const trackers = new ProcessTrackers(blocks, { clock, monitor: monitorOf(table), log, onStatus: (name, up) => void reports.push([clock.now(), name, up]) });
  return { clock, table, lines, reports, trackers };
}

test('events: the log says the connector is followed; a start counts at once, an exit after terminate_delay', () => {
  const r = rig([block({ terminateDelay: 2 })]);
  r.trackers.start();
  r.clock.runFor(10);
  assert.equal(r.trackers.mode, 'events');
  assert.ok(r.lines.some((l) => /following processes through the kernel's process events connector/.test(l)), r.lines.join('\n'));
  r.clock.runUntil(1000);
  const pid = r.table.start(['/usr/sbin/nginx', '-g', 'daemon off;']);
  r.clock.runUntil(5000);
  r.table.exit(pid);
  r.clock.runUntil(20_000);
  assert.deepEqual(r.reports, [
    [0, 'web', false],
    [1000, 'web', true],
    [7000, 'web', false],
  ]);
  r.trackers.stop();
});

test('no events: the reason is logged, /proc is listed every second, a grown count waits fork_delay', () => {
  const r = rig([block({ forkDelay: 3 })], undefined, { events: false, reason: 'the process events connector answers only in the host\'s first network namespace' });
  r.trackers.start();
  r.clock.runFor(10);
  assert.equal(r.trackers.mode, 'polling');
  assert.ok(r.lines.some((l) => /^WARN track_process: the process events connector answers only in the host's first network namespace; .*lists \/proc every 1 s/.test(l)), r.lines.join('\n'));
  r.clock.runUntil(2500);
  r.table.start(['nginx']);
  r.clock.runUntil(20_000);
  // Seen by the listing at 3 s, up 3 s (fork_delay) later.
  assert.deepEqual(r.reports, [
    [0, 'web', false],
    [6000, 'web', true],
  ]);
  r.trackers.stop();
});

test('lost events: listed again a second later; a quorum gained meanwhile counts at once, as keepalived', () => {
  let deaf = false;
  let sinkOf: ProcessWatchSink | undefined;
  const r = rig([block({ forkDelay: 5 })], (table) => ({
    list: (reads, done) => table.list(reads, done),
    watch: (reads, sink) => {
      sinkOf = sink;
      return table.watch(reads, { ...sink, event: (e) => (deaf ? undefined : sink.event(e)) });
    },
  }));
  r.trackers.start();
  r.clock.runUntil(1000);
  deaf = true;
  r.table.start(['nginx']);
  sinkOf!.lost('missed 2 process events on CPU 0');
  r.clock.runUntil(1500);
  deaf = false;
  r.clock.runUntil(1999);
  assert.deepEqual(r.reports, [[0, 'web', false]], 'nothing known before the listing');
  r.clock.runUntil(10_000);
  assert.deepEqual(r.reports, [
    [0, 'web', false],
    [2000, 'web', true],
  ]);
  assert.ok(r.lines.some((l) => /^WARN track_process: missed 2 process events on CPU 0; listing the processes again in 1 s/.test(l)));
  r.trackers.stop();
});
