/**
 * The page in a real browser (chromium through playwright-core): the live page of two daemons on simulated
 * transports shows lb1 MASTER; lb1's link fails and the page follows over server-sent events (lb1 FAULT, lb2
 * MASTER, the timeline grows); the scrubber goes back to lb1 MASTER / lb2 BACKUP and stays there while records
 * arrive; a screenshot goes to test-artifacts/. Also: Mermaid's own parser accepts every `vigil viz --format
 * mermaid`, the browser parses every SVG, and the page written by `vigil sim --html` works from a file with no
 * network.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { loadConfigFile } from '../../config/load.js';
import { loadScenarioFile } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { actorTree, actorTreeMermaid } from '../../observe/actor-tree.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { machineGraph } from '../../observe/machine-graph.js';
import { availableMachines, loadMachine } from '../../observe/machine-registry.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { staticPageHtml } from '../../observe/page/static-page.js';
import { renderActorTree, renderGraph } from '../../observe/render-machine.js';
import { foldEvents } from '../../observe/timeline-model.js';
import { FlightRecorder } from '../../observe/flight-recorder.js';
import { readRecording } from '../../observe/recording-reader.js';
import { closeBrowser, requireBrowser } from './browser.js';
import { observedPair, serveLb2 } from './observed-world.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const artifacts = join(root, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
after(closeBrowser);

const stateOf = (page: Page, actor: string): Promise<string> => page.locator(`#actors li.actor[data-actor="${actor}"] .state`).innerText();
const count = (page: Page, selector: string): Promise<number> => page.locator(selector).count();

async function scrubTo(page: Page, position: number): Promise<void> {
  await page.evaluate((p) => {
    const s = document.getElementById('scrubber') as HTMLInputElement;
    s.value = String(p);
    s.dispatchEvent(new Event('input'));
  }, position);
}

test('live page: MASTER shown, the peer fails, the page follows, the scrubber goes back', async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  const world = await observedPair();
  const observation = await serveLb2(world, 'lb1 + lb2 (simulated transports)');
  const { url } = observation;
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(async () => {
    await page.close();
    await observation.close();
    await world.close();
  });
  await world.start();
  await world.advance(5000);

  await page.goto(url);
  await page.locator('#actors li.actor[data-actor="lb1/VI_1"] .state.s-MASTER').waitFor();
  assert.equal(await stateOf(page, 'lb2/VI_1'), 'BACKUP');
  // The tracked script is an actor of lb2 too (between runs, or running one).
  assert.ok(['waiting', 'running'].includes(await stateOf(page, 'lb2/script:chk_up')));
  // The endpoint serves each machine's thumbnail beside its full chart (for machines first seen after the page loaded).
  const served = await fetch(new URL('/machines/vrrp.thumb.svg', url));
  assert.equal(served.status, 200);
  assert.match(await served.text(), /^<svg [^>]*class="vigil-diagram vigil-thumb"/);
  assert.match(await (await fetch(new URL('/machines/vrrp.svg', url))).text(), /^<svg [^>]*class="vigil-diagram"/);
  assert.equal((await fetch(new URL('/machines/nothing.thumb.svg', url))).status, 404);
  // The thumbnails light the top-level state and name its active inner states in its box.
  assert.equal(await count(page, '.card[data-actor="lb1/VI_1"] .thumb g.box.active[data-state="MASTER"]'), 1);
  assert.match((await page.locator('.card[data-actor="lb1/VI_1"] .thumb text.slot[data-slot="MASTER"]').textContent()) ?? '', /advertising/);
  assert.match((await page.locator('.card[data-actor="lb2/VI_1"] .thumb text.slot[data-slot="BACKUP"]').textContent()) ?? '', /^(waiting · idle|idle · waiting)$/);
  // Opened (a click), the full statechart of lb1 lights MASTER and its substate; lb2's lights both regions of BACKUP.
  await page.locator('.card[data-actor="lb1/VI_1"] .chart.thumb').click();
  await page.locator('.card[data-actor="lb2/VI_1"] .chart.thumb').click();
  assert.equal(await count(page, '.card[data-actor="lb1/VI_1"] .full g.box.active[data-state="MASTER"]'), 1);
  assert.equal(await count(page, '.card[data-actor="lb1/VI_1"] .full g.box.active[data-state="MASTER.advertising"]'), 1);
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] .full g.box.active[data-state="BACKUP.timer.waiting"]'), 1);
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] .full g.box.active[data-state="BACKUP.preempt.idle"]'), 1);
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] g.box.active[data-state="MASTER"]'), 0);
  const segmentsBefore = await count(page, '#timeline rect.seg');
  const recordsBefore = Number(await page.locator('body').getAttribute('data-records'));
  assert.ok(segmentsBefore >= 3 && recordsBefore > 5, `${segmentsBefore} segments, ${recordsBefore} records`);
  assert.match(await page.locator('#mode').innerText(), /live/);

  // The peer fails: lb1 loses its link (FAULT), lb2 takes over after Master_Down_Interval.
  world.hosts.get('lb1')!.setLink('eth0', false);
  await world.advance(6000);
  await page.locator('#actors li.actor[data-actor="lb2/VI_1"] .state.s-MASTER').waitFor();
  assert.equal(await stateOf(page, 'lb1/VI_1'), 'FAULT');
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] .full g.box.active[data-state="MASTER"]'), 1);
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] .thumb g.box.active[data-state="MASTER"]'), 1);
  // The transition that fired is marked on the chart, and on the thumbnail the edge it is grouped in.
  assert.equal(await page.locator('.card[data-actor="lb2/VI_1"] .full g.edge.fired').getAttribute('data-event'), 'MASTER_DOWN');
  const firedThumb = page.locator('.card[data-actor="lb2/VI_1"] .thumb g.edge.fired');
  assert.deepEqual([await firedThumb.getAttribute('data-source'), await firedThumb.getAttribute('data-target')], ['BACKUP', 'MASTER']);
  assert.ok(((await firedThumb.getAttribute('data-on')) ?? '').split(' ').includes('MASTER_DOWN'));
  const segmentsAfter = await count(page, '#timeline rect.seg');
  assert.ok(segmentsAfter > segmentsBefore, `timeline grew from ${segmentsBefore} to ${segmentsAfter} segments`);
  assert.ok(await count(page, '#timeline rect.seg[data-lane="lb2 VI_1"][data-state="MASTER"]') >= 1);
  await page.screenshot({ path: join(artifacts, 'page-live.png'), fullPage: false });
  if (process.env['VIGIL_UPDATE_SCREENSHOT'] === '1') await page.screenshot({ path: join(root, 'docs', 'page.png'), fullPage: false });

  // Scrub back to where the page was before the failure.
  await scrubTo(page, recordsBefore);
  assert.equal(await stateOf(page, 'lb1/VI_1'), 'MASTER');
  assert.equal(await stateOf(page, 'lb2/VI_1'), 'BACKUP');
  assert.equal(await count(page, '.card[data-actor="lb2/VI_1"] .full g.box.active[data-state="BACKUP"]'), 1);
  assert.equal(await count(page, '#timeline line.cursor'), 1);
  assert.match(await page.locator('#mode').innerText(), /history/);
  // Records keep arriving; the page stays where it was put.
  const recordsNow = Number(await page.locator('body').getAttribute('data-records'));
  await world.advance(2000);
  world.hosts.get('lb1')!.setLink('eth0', true);
  await world.advance(6000);
  await page.waitForFunction((n) => Number(document.body.dataset['records']) > n, recordsNow);
  assert.equal(Number(await page.locator('body').getAttribute('data-cursor')), recordsBefore);
  assert.equal(await stateOf(page, 'lb2/VI_1'), 'BACKUP');
  await page.screenshot({ path: join(artifacts, 'page-scrubbed.png') });
  // "Now" returns to the present: lb1 preempted back (priority 150 > 105).
  await page.click('#live');
  await page.locator('#actors li.actor[data-actor="lb1/VI_1"] .state.s-MASTER').waitFor();
  assert.equal(await stateOf(page, 'lb2/VI_1'), 'BACKUP');
  assert.deepEqual(errors, []);
});

test('Mermaid parses every machine and the actor tree; the browser parses every SVG', async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: join(root, 'node_modules/mermaid/dist/mermaid.min.js') });
  const texts: { name: string; mermaid: string; svg: string }[] = [];
  for (const entry of await availableMachines()) {
    const graph = machineGraph((await loadMachine(entry))!);
    texts.push({ name: entry.name, mermaid: await renderGraph(graph, 'mermaid'), svg: await renderGraph(graph, 'svg') });
  }
  const tree = actorTree(loadConfigFile(join(root, 'test/config/fixtures/vrrp-full.conf')).config, 'vrrp-full.conf');
  texts.push({ name: 'actor tree', mermaid: actorTreeMermaid(tree), svg: await renderActorTree(tree, 'svg') });
  const results = await page.evaluate(async (items) => {
    const m = (window as unknown as { mermaid: { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
    m.initialize({ startOnLoad: false });
    const out: { name: string; parsed: string; rendered: number; svgRoot: string; svgError: string }[] = [];
    let n = 0;
    for (const item of items) {
      let parsed = 'ok';
      let rendered = 0;
      try {
        await m.parse(item.mermaid);
        rendered = (await m.render(`m${n++}`, item.mermaid)).svg.length;
      } catch (err) {
        parsed = String((err as Error).message ?? err);
      }
      const doc = new DOMParser().parseFromString(item.svg, 'image/svg+xml');
      out.push({ name: item.name, parsed, rendered, svgRoot: doc.documentElement.nodeName, svgError: doc.querySelector('parsererror')?.textContent ?? '' });
    }
    let bad = 'accepted';
    try {
      await m.parse('stateDiagram-v2\n  A --> : x\n  state {');
    } catch {
      bad = 'rejected';
    }
    return { out, bad };
  }, texts);
  assert.equal(results.bad, 'rejected', 'mermaid.parse does reject bad text');
  for (const r of results.out) {
    assert.equal(r.parsed, 'ok', `${r.name}: mermaid`);
    assert.ok(r.rendered > 1000, `${r.name}: rendered`);
    assert.equal(r.svgRoot, 'svg', `${r.name}: SVG root`);
    assert.equal(r.svgError, '', `${r.name}: SVG parses`);
  }
});

test('the page of a finished simulation and of its recording work from a file, with no network', async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-page-'));
  const scenario = loadScenarioFile(join(root, 'examples/two-node-failover.json'));
  const events: ObservedEvent[] = [];
  const recording = join(dir, 'run.vrec');
  let observed: InspectionStream | undefined;
  const result = runSimulation(scenario, {
    seed: 1,
    observe: ({ bus, clock }) => {
      const stream = new InspectionStream(clock);
      stream.attachBus(bus);
      stream.events$.subscribe((e) => events.push(e));
      new FlightRecorder({ path: recording, source: 'sim' }).attach(stream.events$);
      observed = stream;
      return stream;
    },
  });
  observed!.complete();
  const options = { title: 'two-node-failover seed 1', startMs: 0, endMs: result.duration_ms };
  const html = await staticPageHtml(events, options);
  const file = join(dir, 'run.html');
  writeFileSync(file, html);
  // The page of the recording is the page of the run.
  assert.equal(await staticPageHtml(readRecording(recording).events, options), html);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  t.after(async () => {
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.locator('#actors li.actor').first().waitFor();
  assert.deepEqual(requests, [`file://${file}`]);
  assert.match(await page.locator('#mode').innerText(), /recorded/);
  // One timeline segment per transition of the run.
  assert.equal(await count(page, '#timeline rect.seg'), result.transitions.length);
  assert.equal(await count(page, '#timeline g.fault'), result.faults.length);
  // At the end: the run's final states.
  const last = (node: string) => result.transitions.filter((x) => x.node === node).at(-1)!.to;
  assert.equal(await stateOf(page, 'lb1/VI_1'), last('lb1'));
  assert.equal(await stateOf(page, 'lb2/VI_1'), last('lb2'));
  // "◀ Prev" steps back transition by transition; "First" goes to the start.
  await page.click('#prev');
  assert.ok(Number(await page.locator('body').getAttribute('data-cursor')) < Number(await page.locator('body').getAttribute('data-records')));
  await page.click('#first');
  assert.equal(await count(page, '#actors li.actor'), 0);
  assert.deepEqual(errors, []);
  // The page's own fold of the records agrees with the timeline the server-side fold computes.
  const folded = foldEvents(events);
  assert.equal(folded.transitions.length, result.transitions.length);
});
