/**
 * The inspection stream and the flight recorder: a recording replays to the same timeline as the live run (and
 * to the transitions `vigil sim --json` prints), across rotated files; the newest file alone replays from its
 * checkpoint; a file cut short mid-frame replays up to the cut; observing does not change the simulation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../sim/scenario.js';
import { runSimulation, type SimulationOptions } from '../../sim/run.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { FlightRecorder } from '../../observe/flight-recorder.js';
import { readRecording, recordingFiles } from '../../observe/recording-reader.js';
import { emptyTimeline, foldEvent, foldEvents } from '../../observe/timeline-model.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { observeInto } from './observe-into.js';

const scenario = loadScenarioFile(new URL('../../../examples/two-node-failover.json', import.meta.url).pathname);

function recordedRun(path: string, recorder: { maxBytes?: number; keep?: number } = {}) {
  const live = emptyTimeline();
  const events: ObservedEvent[] = [];
  let rec: FlightRecorder | undefined;
  let stream: InspectionStream | undefined;
  const observe: SimulationOptions['observe'] = ({ bus, clock }) => {
    stream = new InspectionStream(clock);
    stream.attachBus(bus);
    rec = new FlightRecorder({ path, source: 'sim', meta: { seed: 3 }, bufferBytes: 0, ...recorder });
    rec.attach(stream.events$);
    stream.events$.subscribe((e) => {
      foldEvent(live, e);
      events.push(e);
    });
    return stream;
  };
  const result = runSimulation(scenario, { seed: 3, observe });
  stream!.complete();
  return { result, live, events, recorder: rec! };
}

test('a recording replays to the live timeline and to the simulation result, across rotated files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'run.vrec');
  const { result, live, recorder } = recordedRun(path, { maxBytes: 6000, keep: 50 });
  assert.ok(recorder.rotations >= 3, `rotated ${recorder.rotations} times`);
  assert.equal(recordingFiles(path).length, recorder.rotations + 1);
  for (const f of recordingFiles(path)) assert.ok(statSync(f).size < 6000 + 2000, `${f} stays near the bound`);
  const replay = readRecording(path);
  assert.equal(replay.header.source, 'sim');
  assert.equal(replay.truncated, false);
  const timeline = foldEvents(replay.events);
  assert.deepEqual(timeline, live);
  assert.deepEqual(timeline.transitions, result.transitions);
  assert.deepEqual(timeline.vips, result.vips);
  assert.deepEqual(
    timeline.faults.map((f) => f.text),
    result.faults.map((f) => f.text),
  );
  assert.ok(timeline.transitions.some((x) => x.to === 'MASTER' && x.node === 'lb2'), 'lb2 took over at some point');
  // The machine drawn on the page travels in the recording.
  assert.deepEqual(Object.keys(timeline.machines), ['vrrp']);
});

test('only the newest files kept: the oldest present starts from its checkpoint with every actor in its state', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'run.vrec');
  const { live } = recordedRun(path, { maxBytes: 7000, keep: 2 });
  assert.deepEqual(recordingFiles(path), [`${path}.2`, `${path}.1`, path]);
  assert.equal(existsSync(`${path}.3`), false);
  const recording = readRecording(path);
  const replay = foldEvents(recording.events);
  // Every actor is known with its latest state even though the files where it started are gone.
  const lastState = (steps: typeof live.steps, actor: string) => steps.filter((s) => s.actor === actor).at(-1)?.state;
  for (const actor of ['lb1/VI_1', 'lb2/VI_1']) assert.deepEqual(lastState(replay.steps, actor), lastState(live.steps, actor), actor);
  // From where the kept files begin, the story is the same.
  const from = Math.min(...recording.events.filter((e) => e.kind === 'bus').map((e) => e.at));
  assert.ok(replay.transitions.length > 0 && replay.transitions.length < live.transitions.length, `${replay.transitions.length} of ${live.transitions.length}`);
  assert.deepEqual(replay.transitions, live.transitions.filter((x) => x.t_ms >= from));
});

test('a recording cut mid-frame (writer killed) replays up to the cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'run.vrec');
  const { events } = recordedRun(path);
  const size = readFileSync(path).length;
  truncateSync(path, size - 3);
  const replay = readRecording(path);
  assert.equal(replay.truncated, true);
  assert.equal(replay.events.length, events.length - 1);
  assert.deepEqual(replay.events, events.slice(0, -1));
});

test('observing a simulation does not change it (VRRP only, and with directors and checkers)', () => {
  const directors = loadScenarioFile(new URL('../../../examples/two-directors-lvs.json', import.meta.url).pathname);
  for (const s of [scenario, directors]) {
    const plain = runSimulation(s, { seed: 11 });
    let count = 0;
    const observed = runSimulation(s, {
      seed: 11,
      observe: observeInto(() => count++),
    });
    assert.ok(count > 100, `${count} records`);
    assert.deepEqual(observed.transitions, plain.transitions);
    assert.deepEqual(observed.vips, plain.vips);
    assert.deepEqual(observed.stats, plain.stats);
    assert.deepEqual(observed.invariants, plain.invariants);
  }
});

test('the stream names actors node/id, carries their machines, state changes and context facts', () => {
  const events: ObservedEvent[] = [];
  runSimulation(scenario, {
    seed: 1,
    untilMs: 5000,
    observe: observeInto((e) => events.push(e)),
  });
  const actors = events.filter((e) => e.kind === 'actor').map((e) => (e.kind === 'actor' ? `${e.actor} ${e.machine}` : ''));
  assert.deepEqual(actors, ['lb1/VI_1 vrrp', 'lb2/VI_1 vrrp']);
  const masterStep = events.find((e) => e.kind === 'step' && e.actor === 'lb1/VI_1' && e.state[0] === 'MASTER.advertising');
  assert.ok(masterStep && masterStep.kind === 'step' && masterStep.changed);
  assert.equal(masterStep.event, 'MASTER_DOWN');
  const backup = events.find((e) => e.kind === 'step' && e.actor === 'lb2/VI_1' && e.state.length === 2);
  assert.deepEqual(backup && backup.kind === 'step' ? backup.state : [], ['BACKUP.timer.waiting', 'BACKUP.preempt.idle']);
  const info = events.find((e) => e.kind === 'step' && e.actor === 'lb1/VI_1' && e.info);
  assert.equal(info && info.kind === 'step' ? info.info?.['effectivePriority'] : undefined, 150);
  // Unchanged steps (advertisements heard by the backup) are in the stream, marked as such.
  assert.ok(events.some((e) => e.kind === 'step' && e.actor === 'lb2/VI_1' && !e.changed && e.event === 'ADVERTISEMENT'));
});

test('the checker side is in the stream too: virtual servers, real servers and checkers with their states', () => {
  const directors = loadScenarioFile(new URL('../../../examples/two-directors-lvs.json', import.meta.url).pathname);
  const events: ObservedEvent[] = [];
  runSimulation(directors, {
    seed: 1,
    observe: observeInto((e) => events.push(e)),
  });
  const timeline = foldEvents(events);
  assert.deepEqual(Object.keys(timeline.machines).sort(), ['checker', 'realServer', 'virtualServer', 'vrrp']);
  const realServers = timeline.actors.filter((a) => a.machine === 'realServer');
  assert.ok(realServers.length >= 6, `${realServers.length} real-server actors`);
  // A real server the scenario silences is seen leaving its healthy state.
  const states = new Set(timeline.steps.filter((s) => realServers.some((r) => r.actor === s.actor)).map((s) => s.state[0]));
  assert.ok(states.size >= 2, [...states].join(' '));
});
