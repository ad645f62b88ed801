/**
 * Issue 17: an observed run keeps the steady-state shortcut, and the inspection stream records what changes plus
 * one summary per run of what the shortcut absorbed (`steady`) and of a master's advertisements (`repeated`).
 * The summaries must account for every event (each advertisement heard or sent is counted once, in a step or in
 * a summary), keep the stream's order (a run ends before anything else happens to its actor), end with a crashed
 * process, respect the window, and replay from a recording to the live fold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, createMachine, type InspectionEvent } from 'xstate';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { parseScenario } from '../../sim/scenario.js';
import { scenarioText } from '../../bench/observe.js';
import { runSimulation, simulationJson, type SimulationObserver } from '../../sim/run.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { FlightRecorder } from '../../observe/flight-recorder.js';
import { readRecording } from '../../observe/recording-reader.js';
import { foldEvents } from '../../observe/timeline-model.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import type { ShortcutInspector } from '../../actors/steady-shortcut.js';

/** 3 routers × 3 VRIDs; r1 (the master) crashes at 60 s and restarts at 120 s. */
/** The observe benchmark's site, 3 VRIDs: r1 crashes at 60 s and restarts at 120 s. */
function scenario(duration = '180s') {
  return parseScenario(scenarioText(3, duration), 'steady.json');
}

interface Observed {
  readonly events: ObservedEvent[];
  /** ADVERTISEMENT events each actor's machine or shortcut handled, counted at the inspector (the truth). */
  readonly heard: Map<string, number>;
  /** advert_sent messages on the bus, one by one. */
  sent: number;
  readonly json: string;
}

function observedRun(options: { windowMs?: number; record?: string } = {}): Observed {
  const events: ObservedEvent[] = [];
  const heard = new Map<string, number>();
  const out = { events, heard, sent: 0, json: '' };
  let stream: InspectionStream | undefined;
  let recorder: FlightRecorder | undefined;
  const result = runSimulation(scenario(), {
    seed: 4,
    observe: ({ bus, clock }): SimulationObserver => {
      stream = new InspectionStream(clock, options.windowMs !== undefined ? { steadyWindowMs: options.windowMs } : {});
      stream.attachBus(bus);
      bus.messages$.subscribe((m) => {
        if (m.kind === 'advert_sent') out.sent++;
      });
      if (options.record !== undefined) {
        recorder = new FlightRecorder({ path: options.record, source: 'sim', bufferBytes: 0 });
        recorder.attach(stream.events$);
      }
      stream.events$.subscribe((e) => events.push(e));
      const s = stream;
      return {
        // Counts every advertisement an actor handled, through XState or through its shortcut, then passes it on.
        inspector: (node: string) => {
          const inner = s.inspector(node);
          const count = (id: string): void => void heard.set(`${node}/${id}`, (heard.get(`${node}/${id}`) ?? 0) + 1);
          const inspect: ShortcutInspector = Object.assign(
            (e: InspectionEvent) => {
              if (e.type === '@xstate.event' && e.event.type === 'ADVERTISEMENT') count((e.actorRef as unknown as { id: string }).id);
              inner(e);
            },
            {
              absorbed: (actor: Parameters<NonNullable<ShortcutInspector['absorbed']>>[0], event: { type: string }) => {
                if (event.type === 'ADVERTISEMENT') count(actor.id);
                inner.absorbed!(actor, event);
              },
            },
          );
          return inspect;
        },
        fault: (text) => s.fault(text),
        process: (node, up, cause) => s.process(node, up, cause),
      };
    },
  });
  stream!.complete();
  recorder?.close();
  out.json = simulationJson(result);
  return out;
}

test('an observed run records every advertisement once, mostly summed up, and prints the same --json as a plain one', () => {
  const run = observedRun();
  assert.equal(run.json, simulationJson(runSimulation(scenario(), { seed: 4 })));
  const timeline = foldEvents(run.events);
  // Every advertisement sent is counted: one by one or in a `repeated` record.
  assert.equal(timeline.advertsSent, run.sent);
  // Every advertisement an actor handled is counted: a step (changed or not) or a `steady` record.
  const heardTotal = [...run.heard.values()].reduce((a, b) => a + b, 0);
  const changed = run.events.filter((e) => e.kind === 'step' && e.changed && e.event === 'ADVERTISEMENT').length;
  assert.equal((timeline.unchanged['ADVERTISEMENT'] ?? 0) + changed, heardTotal);
  for (const [actor, n] of run.heard) {
    const own = run.events.reduce(
      (sum, e) => sum + (e.kind === 'steady' && e.actor === actor ? e.count : e.kind === 'step' && e.actor === actor && e.event === 'ADVERTISEMENT' ? 1 : 0),
      0,
    );
    assert.equal(own, n, actor);
  }
  // What the shortcut absorbed is most of it: a few records stand for thousands of advertisements.
  const summaries = run.events.filter((e) => e.kind === 'steady' || e.kind === 'repeated').length;
  assert.ok(heardTotal > 600 && run.sent > 400, `${heardTotal} heard, ${run.sent} sent`);
  assert.ok(run.events.length < (heardTotal + run.sent) / 5, `${run.events.length} records for ${heardTotal + run.sent} advertisements (${summaries} summaries)`);
});

test('summaries keep the stream in order: each run ends before anything else happens to its actor, and at a crash', () => {
  const run = observedRun();
  let at = 0;
  const lastChange = new Map<string, number>();
  const state = new Map<string, string>();
  for (const e of run.events) {
    assert.ok(e.at >= at, `records in time order (${e.kind} at ${e.at} after ${at})`);
    at = e.at;
    if (e.kind === 'step') {
      if (e.changed) lastChange.set(e.actor, e.at);
      state.set(e.actor, JSON.stringify(e.state));
    }
    if (e.kind === 'steady') {
      assert.ok(e.count >= 1 && e.first <= e.last && e.last <= e.at, JSON.stringify(e));
      assert.ok((lastChange.get(e.actor) ?? 0) <= e.first, `${e.actor}: no change of state inside its run ${e.first}–${e.last}`);
      assert.equal(JSON.stringify(e.state), state.get(e.actor), `${e.actor}: the run's state is the actor's`);
    }
    if (e.kind === 'repeated') assert.ok(e.count >= 1 && e.message.at <= e.last && e.last <= e.at, JSON.stringify(e));
  }
  // r1's runs end when it crashes at 60 s: its last advertisements are recorded then, not at the end of the run.
  const r1Adverts = run.events.filter((e) => e.kind === 'repeated' && e.message.node === 'r1' && e.message.at < 60_000);
  assert.ok(r1Adverts.length >= 3, `${r1Adverts.length} runs of r1's advertisements before the crash`);
  for (const e of r1Adverts) assert.ok(e.at <= 60_000, `emitted by the crash: ${JSON.stringify(e)}`);
  // A backup's run of r1's advertisements ends when Master_Down_Timer fires, before its transition to MASTER.
  const takeover = run.events.findIndex((e) => e.kind === 'bus' && e.message.kind === 'transition' && e.message.node === 'r2' && e.message.to === 'MASTER' && e.at > 60_000);
  assert.ok(takeover > 0, 'r2 took over');
  const before = run.events.slice(0, takeover).filter((e) => e.kind === 'steady' && e.actor.startsWith('r2/'));
  assert.ok(before.some((e) => e.kind === 'steady' && e.last > 59_000), 'the backup heard r1 until the crash, recorded before it took over');
});

test('a run lasts at most the window, so a live stream hears of a quiet actor now and then', () => {
  const run = observedRun({ windowMs: 10_000 });
  const steady = run.events.filter((e): e is Extract<ObservedEvent, { kind: 'steady' }> => e.kind === 'steady');
  const repeated = run.events.filter((e): e is Extract<ObservedEvent, { kind: 'repeated' }> => e.kind === 'repeated');
  for (const e of steady) assert.ok(e.last - e.first < 10_000, JSON.stringify(e));
  for (const e of repeated) assert.ok(e.last - e.message.at < 10_000, JSON.stringify(e));
  // r3, a backup the whole time, is heard of at least every 10 s or so for each of its 3 instances.
  assert.ok(steady.filter((e) => e.actor.startsWith('r3/')).length >= 3 * 15, `${steady.length} steady records`);
  const wide = foldEvents(observedRun().events);
  assert.deepEqual(foldEvents(run.events).unchanged, wide.unchanged, 'the window changes the records, not the counts');
});

test('a recording of an observed run replays to the live fold, summaries included', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-steady-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'run.vrec');
  const run = observedRun({ record: path });
  const replay = readRecording(path);
  assert.deepEqual(replay.events, run.events);
  const live = foldEvents(run.events);
  assert.deepEqual(foldEvents(replay.events), live);
  assert.ok((live.unchanged['ADVERTISEMENT'] ?? 0) > 600);
});

test('a run of an actor rebuilt (supervision, reload) ends when its successor starts', () => {
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const events: ObservedEvent[] = [];
  stream.events$.subscribe((e) => events.push(e));
  const inspect = stream.inspector('n');
  const machine = createMachine({ id: 'm', initial: 'idle', states: { idle: { on: { PING: {} } } } });
  const first = createActor(machine, { id: 'a', inspect });
  first.start();
  first.send({ type: 'PING' });
  for (let i = 0; i < 5; i++) {
    clock.runFor(1000);
    inspect.absorbed!(first, { type: 'PING' });
  }
  assert.equal(events.filter((e) => e.kind === 'steady').length, 0, 'the run is open');
  // The actor failed without a word; the runner builds another under the same id.
  clock.runFor(500);
  createActor(machine, { id: 'a', inspect }).start();
  const steady = events.find((e) => e.kind === 'steady');
  assert.deepEqual(steady, { kind: 'steady', at: 5500, actor: 'n/a', event: 'PING', state: ['idle'], count: 5, first: 1000, last: 5000 });
  const actors = events.flatMap((e, i) => (e.kind === 'actor' ? [i] : []));
  assert.equal(actors.length, 2);
  assert.ok(events.indexOf(steady!) < actors[1]!, 'before the new actor');
});
