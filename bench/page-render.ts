/**
 * The page's costs. In the browser (issue 17): the page of a site of 3 routers × 255 VRRP instances, loaded from
 * a file in headless Chromium, for the simulator's 10-minute run with a crash and restart (`vigil sim --html`,
 * goals: loads in ≤ 500 ms, steps in ≤ 30 ms) and for generated recordings of the same site over 4 and 24 hours
 * (test/observe/site-recording.ts): the load (navigation start to the load event: the HTML parsed and the first
 * render done, median and best of 5: the best is the page's own cost on a machine shared with other work), and the median and 90th percentile of one step (an arrow key: the fold, the rows in
 * sight, the statecharts, and the style and layout it causes). On the server (issue 13): how long the live
 * endpoint holds the event loop (the VRRP thread) while it sends a long history: the longest stall of the loop
 * while GET / and a full /events catch-up of 50,000 records are served, with the page and the backlog in slices
 * (the default) and, for comparison, in one piece. The statechart drawings the page embeds (once per machine, ELK
 * layout in the writer): the full charts and the cards' thumbnails, time to draw every machine of this build and
 * their size.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { forPage } from '../observe/page/page-history.js';
import { staticPageHtml } from '../observe/page/static-page.js';
import { scenarioText } from './observe.js';
import { parseScenario } from '../sim/scenario.js';
import { runSimulation } from '../sim/run.js';
import type { SimulationObserver } from '../sim/run.js';
import { ObservationServer } from '../observe/http-server.js';
import { InspectionStream } from '../observe/inspection-stream.js';
import type { ObservedEvent } from '../observe/observed-event.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { siteRecording } from '../test/observe/site-recording.js';
import { MachineSvgs } from '../observe/page/machine-svgs.js';
import { machineGraph } from '../observe/machine-graph.js';
import { availableMachines, loadMachine } from '../observe/machine-registry.js';

const CHROMIUM = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';

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

/** The simulator's page of 3 × 255 instances over 10 minutes, r1 crashed at 60 s and restarted at 120 s. */
async function simulatedSitePage(): Promise<{ html: string; records: number; ms: number }> {
  const started = performance.now();
  const events: ObservedEvent[] = [];
  const scenario = parseScenario(scenarioText(255, '10m'), 'site.json');
  const result = runSimulation(scenario, {
    seed: 1,
    observe: ({ bus, clock }): SimulationObserver => {
      const stream = new InspectionStream(clock);
      stream.attachBus(bus);
      stream.events$.subscribe((e) => {
        if (forPage(e)) events.push(e);
      });
      return stream;
    },
  });
  const html = await staticPageHtml(events, { title: 'site 3 × 255, 10 min', startMs: 0, endMs: result.duration_ms });
  return { html, records: events.length, ms: performance.now() - started };
}

interface PageFigures {
  readonly loadBestMs: number;
  readonly loadMs: number;
  readonly stepMedianMs: number;
  readonly stepP90Ms: number;
  readonly domRows: number;
  readonly rows: number;
}

async function browserFigures(file: string): Promise<PageFigures> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const loads: number[] = [];
    let steps = { median: 0, p90: 0 };
    let rows = { dom: 0, all: 0 };
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`file://${file}`);
      loads.push(await page.evaluate(() => (window.performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd));
      if (i === 4) {
        // Steps back from the end and forth again, each followed by the style and layout it causes.
        steps = await page.evaluate(() => {
          const times: number[] = [];
          for (const key of ['ArrowLeft', 'ArrowRight']) {
            for (let n = 0; n < 100; n++) {
              const s = window.performance.now();
              document.dispatchEvent(new KeyboardEvent('keydown', { key }));
              void document.body.offsetHeight;
              times.push(window.performance.now() - s);
            }
          }
          times.sort((a, b) => a - b);
          return { median: times[times.length >> 1]!, p90: times[Math.floor(times.length * 0.9)]! };
        });
        rows = await page.evaluate(() => ({ dom: document.querySelectorAll('#tl-rows .row').length + document.querySelectorAll('#actors li').length, all: Number(document.body.dataset['rows']) }));
      }
      await page.close();
    }
    loads.sort((a, b) => a - b);
    return { loadBestMs: loads[0]!, loadMs: loads[2]!, stepMedianMs: steps.median, stepP90Ms: steps.p90, domRows: rows.dom, rows: rows.all };
  } finally {
    await browser.close();
  }
}

async function browserPages(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`page in the browser: skipped (${CHROMIUM} is not installed)\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-page-'));
  try {
    const pages: { name: string; html: string; records: number; note: string }[] = [];
    const sim = await simulatedSitePage();
    pages.push({ name: 'vigil sim --html, 3 × 255, 10 min, crash + restart', html: sim.html, records: sim.records, note: `simulated and written in ${(sim.ms / 1000).toFixed(1)} s` });
    for (const hours of [4, 24]) {
      const site = siteRecording({ nodes: 3, instances: 255, hours });
      pages.push({ name: `recording of 3 × 255 over ${hours} h`, html: await staticPageHtml(site.events, { title: `site ${hours} h`, startMs: 0, endMs: site.endMs }), records: site.events.length, note: 'generated' });
    }
    process.stdout.write('page in headless Chromium (goals: load ≤ 500 ms, step ≤ 30 ms):\n');
    for (const p of pages) {
      const file = join(dir, 'page.html');
      writeFileSync(file, p.html);
      const f = await browserFigures(file);
      process.stdout.write(
        `  ${p.name} (${p.records.toLocaleString('en-US')} records, ${(p.html.length / (1 << 20)).toFixed(1)} MiB, ${p.note}): load ${f.loadMs.toFixed(0)} ms (best ${f.loadBestMs.toFixed(0)} ms), step median ${f.stepMedianMs.toFixed(1)} ms (p90 ${f.stepP90Ms.toFixed(1)} ms), ${f.domRows} rows in the DOM for ${f.rows} lane rows and the actors\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Draws every machine's full chart and thumbnail afresh: the best of 3 for each, and the bytes they add to a page. */
export async function statechartDrawings(): Promise<string> {
  const graphs = await Promise.all((await availableMachines()).map(async (e) => machineGraph((await loadMachine(e))!)));
  const best = async (draw: (svgs: MachineSvgs) => Promise<Record<string, string>>): Promise<{ ms: number; bytes: number }> => {
    let ms = Infinity;
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const out = await draw(new MachineSvgs());
      ms = Math.min(ms, performance.now() - started);
      bytes = Object.values(out).reduce((n, svg) => n + svg.length, 0);
    }
    return { ms, bytes };
  };
  const full = await best((svgs) => svgs.all(graphs));
  const thumbs = await best((svgs) => svgs.allThumbnails(graphs));
  const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  return `${graphs.length} machines: full charts ${full.ms.toFixed(0)} ms (${kib(full.bytes)}), thumbnails ${thumbs.ms.toFixed(0)} ms (${kib(thumbs.bytes)})`;
}

export async function run(): Promise<void> {
  process.stdout.write(`statechart drawings (best of 3): ${await statechartDrawings()}\n`);
  await browserPages();
  await measure(500); // warm-up
  process.stdout.write(`live endpoint with ${RECORDS.toLocaleString('en-US')} records of history:\n`);
  process.stdout.write(`  in slices of 500 records: ${await measure(500)}\n`);
  process.stdout.write(`  in one piece:             ${await measure(Number.MAX_SAFE_INTEGER)}\n`);
}
