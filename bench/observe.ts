/**
 * Observability costs (issue 6): what the inspection stream and the flight recorder add to a simulation (events/s
 * with and without them, records and bytes written; issue 17: observed runs keep the steady-state shortcut and the
 * stream sums up what it absorbs), the time to render /metrics for 255 VRRP instances, and the
 * ELK layout of the VRRP statechart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DaemonStatus, InstanceStatus } from '../actors/status.js';
import { vrrpInstanceMachine } from '../machines/vrrp-instance.js';
import { FlightRecorder } from '../observe/flight-recorder.js';
import { InspectionStream } from '../observe/inspection-stream.js';
import { machineGraph } from '../observe/machine-graph.js';
import { DaemonMetrics } from '../observe/metrics.js';
import { layoutStatechart } from '../observe/statechart-layout.js';
import { parseScenario } from '../sim/scenario.js';
import { runSimulation, type SimulationOptions } from '../sim/run.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { instanceStatus, masterCounters } from '../test/status-fixtures.js';

/** 3 routers × `vrids` instances; r1 crashes at 60 s and restarts at 120 s. */
export function scenarioText(vrids: number, duration: string): string {
  const config = (priority: number): string =>
    Array.from(
      { length: vrids },
      (_, i) => `vrrp_instance VI_${i + 1} {
  interface eth0
  virtual_router_id ${i + 1}
  priority ${priority}
  advert_int 1
  version 3
  virtual_ipaddress {
    192.168.78.${i + 1}/32
  }
}`,
    ).join('\n');
  return JSON.stringify({
    duration,
    network: { latency: '1ms', jitter: '0ms' },
    nodes: {
      r1: { config: config(100), interfaces: { eth0: '192.168.77.11/24' } },
      r2: { config: config(90), interfaces: { eth0: '192.168.77.12/24' } },
      r3: { config: config(80), interfaces: { eth0: '192.168.77.13/24' } },
    },
    events: [
      { at: '60s', crash: 'r1' },
      { at: '120s', restart: 'r1' },
    ],
  });
}

function timeRun(options: Omit<SimulationOptions, 'seed'>, vrids: number): { ms: number; events: number } {
  const scenario = parseScenario(scenarioText(vrids, '10m'), 'bench.json');
  const started = performance.now();
  const result = runSimulation(scenario, { seed: 1, ...options });
  return { ms: performance.now() - started, events: result.stats.events };
}

function best<T extends { ms: number }>(runs: number, f: () => T): T {
  let out: T | undefined;
  for (let i = 0; i < runs; i++) {
    const r = f();
    if (!out || r.ms < out.ms) out = r;
  }
  return out!;
}

async function streamOverhead(): Promise<void> {
  const vrids = 50;
  const rate = (r: { ms: number; events: number }): string => `${Math.round(r.events / (r.ms / 1000)).toLocaleString('en-US')} events/s`;
  timeRun({}, vrids); // warm-up
  const plain = best(3, () => timeRun({}, vrids));
  // XState's own cost of inspection: it builds an inspection event for every event, action and microstep.
  const noop = best(3, () => timeRun({ observe: () => ({ inspector: () => () => {}, fault: () => {} }) }, vrids));
  let records = 0;
  let summaries = 0;
  const streamed = best(3, () => {
    records = 0;
    summaries = 0;
    return timeRun(
      {
        observe: ({ bus, clock }) => {
          const stream = new InspectionStream(clock);
          stream.attachBus(bus);
          stream.events$.subscribe((e) => {
            records++;
            if (e.kind === 'steady' || e.kind === 'repeated') summaries++;
          });
          return stream;
        },
      },
      vrids,
    );
  });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  let bytes = 0;
  let frames = 0;
  const recorded = best(3, () => {
    let recorder: FlightRecorder | undefined;
    let stream: InspectionStream | undefined;
    const r = timeRun(
      {
        observe: ({ bus, clock }) => {
          stream = new InspectionStream(clock);
          stream.attachBus(bus);
          recorder = new FlightRecorder({ path: join(dir, 'bench.vrec'), source: 'sim', maxBytes: 64 << 20, keep: 2 });
          recorder.attach(stream.events$);
          return stream;
        },
      },
      vrids,
    );
    const started = performance.now();
    stream!.complete();
    bytes = recorder!.bytes;
    frames = recorder!.frames;
    return { ms: r.ms + (performance.now() - started), events: r.events };
  });
  rmSync(dir, { recursive: true, force: true });
  const pct = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(0)}%`;
  process.stdout.write(`simulation, 3 routers × ${vrids} VRIDs × 10 simulated minutes (best of 3):\n`);
  process.stdout.write(`  no observer:        ${plain.ms.toFixed(0)} ms, ${rate(plain)}\n`);
  process.stdout.write(`  XState inspect only (a no-op callback): ${noop.ms.toFixed(0)} ms, ${rate(noop)} (+${pct(noop.ms, plain.ms)})\n`);
  process.stdout.write(
    `  inspection stream:  ${streamed.ms.toFixed(0)} ms, ${rate(streamed)} (+${pct(streamed.ms, plain.ms)}), ${records.toLocaleString('en-US')} records (${summaries.toLocaleString('en-US')} of them runs of unchanged steps or advertisements summed up), ${Math.round(records / (streamed.ms / 1000)).toLocaleString('en-US')} records/s\n`,
  );
  process.stdout.write(
    `  stream + recorder:  ${recorded.ms.toFixed(0)} ms, ${rate(recorded)} (+${pct(recorded.ms, plain.ms)}), ${frames.toLocaleString('en-US')} frames, ${(bytes / (1 << 20)).toFixed(1)} MiB (${(bytes / frames).toFixed(0)} B/frame)\n`,
  );
  // Issue 17's goal: an observed simulation (as `vigil sim --html` or `--record` runs it) costs at most 1.5×.
  process.stdout.write(`  observed / unobserved: ${(streamed.ms / plain.ms).toFixed(1)}× with the stream, ${(recorded.ms / plain.ms).toFixed(1)}× with the recorder too (goal ≤ 1.5×)\n`);
}

function instance(i: number): InstanceStatus {
  return instanceStatus({
    name: `VI_${i}`,
    state: i % 2 === 0 ? 'MASTER' : 'BACKUP',
    vrid: i,
    vips: [`192.168.78.${i}/32`],
    counters: masterCounters({
      adverts_sent: 1000 + i,
      adverts_received: 2000 + i,
      priority_zero_sent: 1,
      priority_zero_received: 2,
      become_master: 3,
      release_master: 2,
      transitions: 7,
      drops: { ttl: 1, auth: 2 },
    }),
  });
}

async function metricsRender(): Promise<void> {
  const status: DaemonStatus = {
    pid: 1,
    config_file: 'bench.conf',
    reloads: 0,
    instances: Array.from({ length: 255 }, (_, i) => instance(i + 1)),
    scripts: [{ name: 'chk', up: true }],
    virtual_servers: [],
    drops: { vrid: 5 },
  };
  const stream = new InspectionStream(new VirtualClock());
  const metrics = new DaemonMetrics({ node: 'n', status: () => status }, stream);
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 220; i++) {
    const started = performance.now();
    size = (await metrics.render()).length;
    if (i >= 20) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  process.stdout.write(
    `/metrics for 255 instances: mean ${mean.toFixed(2)} ms, p50 ${times[times.length >> 1]!.toFixed(2)} ms, p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(2)} ms, ${(size / 1024).toFixed(0)} KiB of text\n`,
  );
  metrics.close();
}

async function layout(): Promise<void> {
  const graph = machineGraph(vrrpInstanceMachine);
  let started = performance.now();
  await layoutStatechart(graph);
  const first = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < 10; i++) await layoutStatechart(graph);
  process.stdout.write(`ELK layout of the VRRP statechart: first ${first.toFixed(0)} ms, then ${((performance.now() - started) / 10).toFixed(0)} ms (cached per machine by the server)\n`);
}

export async function run(): Promise<void> {
  await streamOverhead();
  await metricsRender();
  await layout();
}
