/**
 * How long the live endpoint holds the event loop (the VRRP thread) while it sends a long history (issue 13):
 * the longest stall of the loop while GET / and a full /events catch-up of 50,000 records are served, with the
 * page and the backlog in slices (the default) and, for comparison, in one piece.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ObservationServer } from '../observe/http-server.js';
import { InspectionStream } from '../observe/inspection-stream.js';
import type { ObservedEvent } from '../observe/observed-event.js';
import { VirtualClock } from '../sim/virtual-clock.js';

const RECORDS = 50_000;

function record(i: number): ObservedEvent {
  return i % 3 === 0
    ? { kind: 'bus', at: i * 10, message: { kind: 'transition', at: i * 10, node: `lb${i % 2}`, instance: `VI_${i % 255}`, from: 'BACKUP', to: 'MASTER', priority: 100 } }
    : { kind: 'step', at: i * 10, actor: `lb${i % 2}/VI_${i % 255}`, event: 'MASTER_DOWN', state: ['MASTER.advertising', 'MASTER.garp.idle'], changed: true, info: { effective_priority: 100 } };
}

/** A client in a process of its own (its parsing must not count as the server's): reads `bytes` or to the end. */
const CLIENT = `
const [port, path, limit] = process.argv.slice(1);
let n = 0;
const req = require('node:http').request({ host: '127.0.0.1', port: Number(port), path }, (res) => {
  res.on('data', (c) => { n += c.length; if (n >= Number(limit)) { req.destroy(); process.stdout.write(String(n)); } });
  res.on('end', () => process.stdout.write(String(n)));
});
req.end();
`;

/**
 * Serves `path` to a client process until it has `limit` bytes; the longest gap between two turns of the event
 * loop meanwhile, in wall time and in CPU time (this process's, all threads): on a loaded machine the wall time
 * also counts the time the process waited for a CPU, the CPU time is the work one turn held the loop for.
 */
async function longestStall(port: number, path: string, limit: number): Promise<{ stallMs: number; cpuMs: number; totalMs: number; bytes: number }> {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let worst = 0;
  let worstCpu = 0;
  let running = true;
  const spin = (): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    worst = Math.max(worst, now - last);
    worstCpu = Math.max(worstCpu, (cpu.user + cpu.system) / 1000);
    last = now;
    lastCpu = process.cpuUsage();
    if (running) setImmediate(spin);
  };
  const started = performance.now();
  // Measured from after the spawn: starting a process costs this one a fork.
  const client = spawn(process.execPath, ['-e', CLIENT, String(port), path, String(limit)], { stdio: ['ignore', 'pipe', 'inherit'] });
  last = performance.now();
  lastCpu = process.cpuUsage();
  setImmediate(spin);
  let out = '';
  client.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => client.once('exit', resolve));
  running = false;
  return { stallMs: worst, cpuMs: worstCpu, totalMs: performance.now() - started, bytes: Number(out) };
}

async function measure(sliceRecords: number): Promise<string> {
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const server = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'bench', clock, stream, historySize: RECORDS * 2, sliceRecords });
  for (let i = 0; i < RECORDS; i++) server.history.add(record(i));
  const { port } = await server.listen();
  const page = await longestStall(port, '/', Number.MAX_SAFE_INTEGER);
  // The backlog is about 200 bytes a record.
  const events = await longestStall(port, '/events', RECORDS * 190);
  await server.close();
  const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
  const stall = (r: { stallMs: number; cpuMs: number }): string => `longest turn ${r.cpuMs.toFixed(1)} ms of CPU (${r.stallMs.toFixed(1)} ms wall)`;
  return `page ${mib(page.bytes)} MiB in ${page.totalMs.toFixed(0)} ms, ${stall(page)}; /events catch-up ${mib(events.bytes)} MiB in ${events.totalMs.toFixed(0)} ms, ${stall(events)}`;
}

export async function run(): Promise<void> {
  await measure(500); // warm-up
  process.stdout.write(`live endpoint with ${RECORDS.toLocaleString('en-US')} records of history:\n`);
  process.stdout.write(`  in slices of 500 records: ${await measure(500)}\n`);
  process.stdout.write(`  in one piece:             ${await measure(Number.MAX_SAFE_INTEGER)}\n`);
}
