/**
 * The statechart thumbnails of the page's cards (observe/statechart-thumbnail.ts): one edge per pair of boxes
 * naming each event once, self-loops and moves inside a collapsed state folded into a mark on the box, every
 * transition of the machine accounted for; and, in Chromium, legible at the size they are shown (no text under
 * 9 px on screen, no two labels overlapping, measured from the DOM at two window widths), the active state and
 * the transitions that led to it marked, the full chart on click and the thumbnail again on a second click.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { allStates, machineGraph, type MachineGraph } from '../../observe/machine-graph.js';
import { availableMachines, findEntry, loadMachine } from '../../observe/machine-registry.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { staticPageHtml } from '../../observe/page/static-page.js';
import { diagramSvg } from '../../observe/diagram-svg.js';
import { graphDepth, layoutThumbnail, THUMBNAIL, thumbnailGraph } from '../../observe/statechart-thumbnail.js';
import { loadScenarioFile } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { closeBrowser, openPageFile, requireBrowser } from './browser.js';
import { createActor, createMachine } from 'xstate';
import { ObservationServer } from '../../observe/http-server.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function graphOf(name: string): Promise<MachineGraph> {
  return machineGraph((await loadMachine(findEntry(name)!))!);
}

test('the VRRP instance at depth 1: its five states, one edge per pair, each event once, loops folded', async () => {
  const graph = await graphOf('vrrp');
  const thumb = thumbnailGraph(graph, 1);
  const pairs = thumb.edges.map((e) => `${e.source}->${e.target}`);
  assert.equal(new Set(pairs).size, pairs.length, 'one edge per pair');
  assert.ok(thumb.edges.every((e) => e.source !== e.target && !e.source.includes('.') && !e.target.includes('.')), pairs.join(' '));
  const events = (source: string, target: string): string[] => thumb.edges.find((e) => e.source === source && e.target === target)?.events.map((x) => x.text) ?? [];
  // Three transitions MASTER -> BACKUP (SYNC [syncBackup], ADVERTISEMENT [senderWins], ADVERTISEMENT [(senderWins && …)]).
  assert.deepEqual(events('MASTER', 'BACKUP'), ['SYNC', 'ADVERTISEMENT']);
  // Its tooltip keeps what the label leaves out: each transition with its guard.
  assert.deepEqual(thumb.edges.find((e) => e.source === 'MASTER' && e.target === 'BACKUP')?.transitions, [
    'MASTER → BACKUP: SYNC [syncBackup]',
    'MASTER → BACKUP: ADVERTISEMENT [(senderWins && higherPrioSendAdvert)]',
    'MASTER → BACKUP: ADVERTISEMENT [senderWins]',
  ]);
  // The timer's own and the preemption's moves stay inside BACKUP: a loop, with the delayed one named.
  assert.deepEqual(thumb.loops.get('BACKUP')?.map((x) => x.text), ['ADVERTISEMENT', 'after preemptDelay']);
  assert.deepEqual(thumb.loops.get('MASTER')?.map((x) => x.token), ['ADVERTISEMENT']);
  // Eventless transitions are named by their guard.
  assert.deepEqual(events('FAULT', 'BACKUP'), ['[healthy]']);
  assert.equal(thumb.edges.find((e) => e.source === 'FAULT' && e.target === 'BACKUP')?.kind, 'always');
  // Every transition of the machine is on an edge or a loop of the thumbnail, with its event.
  const lift = (p: string): string => p.split('.')[0]!;
  for (const t of graph.transitions) {
    const text = t.kind === 'event' ? t.label.split(' ')[0]! : t.kind === 'after' ? t.label : t.label || 'always';
    const on = lift(t.source) === lift(t.target) ? (thumb.loops.get(lift(t.source))?.map((x) => x.text) ?? []) : events(lift(t.source), lift(t.target));
    assert.ok(on.includes(text), `${t.source} -> ${t.target}: ${t.label} (${on.join(', ')})`);
  }
});

test('each thumbnail keeps as many levels as fit its room; collapsed states get a line for their inner states', async () => {
  for (const entry of await availableMachines()) {
    const graph = machineGraph((await loadMachine(entry))!);
    const diagram = await layoutThumbnail(graph);
    const svg = diagramSvg(diagram, { standalone: false, className: 'vigil-thumb' });
    const drawn = allStates(graph).filter((s) => svg.includes(`data-state="${s.path}"`));
    const depth = Math.max(...drawn.map((s) => s.path.split('.').length));
    if (depth < graphDepth(graph)) {
      // Cut short only because the deeper drawing did not fit; the states hidden are in a collapsed box.
      assert.ok(allStates(graph).every((s) => s.path.split('.').length > depth || drawn.includes(s)), entry.name);
      for (const s of drawn) {
        if (s.children.length > 0 && s.path.split('.').length === depth) assert.ok(svg.includes(`data-slot="${s.path}"`), `${entry.name}: ${s.path} collapsed`);
      }
    } else {
      assert.equal(drawn.length, allStates(graph).length, `${entry.name}: every state`);
    }
    if (depth > 1) assert.ok(diagram.width <= THUMBNAIL.maxWidth, `${entry.name}: ${diagram.width} px wide at depth ${depth}`);
    // No arc from a box to itself: loops are marks.
    assert.ok(![...svg.matchAll(/<g class="edge[^"]*" data-source="([^"]*)" data-target="([^"]*)"/g)].some((m) => m[1] === m[2]), entry.name);
  }
  // Small machines keep every state; the VRRP instance shows its five keepalived states.
  const vrrp = diagramSvg(await layoutThumbnail(await graphOf('vrrp')));
  assert.deepEqual([...vrrp.matchAll(/<g class="box [^"]*" data-state="([^"]*)"/g)].map((m) => m[1]), ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP']);
  assert.match(vrrp, /<g class="loop" data-state="BACKUP" data-on="ADVERTISEMENT after:preemptDelay">/);
});

// ---- in the browser ----

let dir: string;
let file: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-thumbs-'));
  const events: ObservedEvent[] = [];
  const scenario = loadScenarioFile(join(root, 'examples/two-directors-lvs.json'));
  let stream: InspectionStream | undefined;
  const result = runSimulation(scenario, {
    seed: 1,
    observe: ({ bus, clock }) => {
      stream = new InspectionStream(clock);
      stream.attachBus(bus);
      stream.events$.subscribe((e) => events.push(e));
      return stream;
    },
  });
  stream!.complete();
  file = join(dir, 'page.html');
  writeFileSync(file, await staticPageHtml(events, { title: 'two directors', startMs: 0, endMs: result.duration_ms }));
});
after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

const open = (t: TestContext, width: number): Promise<Page | undefined> => openPageFile(t, file, '.card .chart.thumb svg', { viewport: { width, height: 900 } });

interface Measured {
  readonly actor: string;
  readonly machine: string;
  readonly texts: { text: string; px: number; left: number; top: number; right: number; bottom: number }[];
}

/** Every text of every card's thumbnail: its size on screen and its box. */
async function measure(page: Page): Promise<Measured[]> {
  const actors = await page.locator('.card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset['actor']!));
  const out: Measured[] = [];
  for (const actor of actors) {
    const card = page.locator(`.card[data-actor="${actor}"]`);
    // Cards out of sight are not rendered (content-visibility): measure each in sight.
    await card.scrollIntoViewIfNeeded();
    out.push(
      await card.evaluate((c) => {
        const svg = c.querySelector('.chart.thumb svg') as SVGSVGElement;
        const scale = svg.getScreenCTM()!.a;
        // A label: a box's name, the line of its inner states, an edge's label (its lines together).
        const labels = new Map<Element, SVGTextElement[]>();
        for (const t of svg.querySelectorAll('text')) {
          if ((t.textContent ?? '').trim() === '') continue;
          const key = t.closest('g.edge') ?? t;
          labels.set(key, [...(labels.get(key) ?? []), t]);
        }
        const texts = [...labels.values()].map((lines) => {
          const rs = lines.map((t) => t.getBoundingClientRect());
          const px = Math.min(...lines.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
          const text = lines.map((t) => t.textContent).join(' / ');
          return { text, px, left: Math.min(...rs.map((r) => r.left)), top: Math.min(...rs.map((r) => r.top)), right: Math.max(...rs.map((r) => r.right)), bottom: Math.max(...rs.map((r) => r.bottom)) };
        });
        return { actor: (c as HTMLElement).dataset['actor']!, machine: svg.dataset['diagram']!, texts };
      }),
    );
  }
  return out;
}

for (const width of [1400, 900, 640]) {
  test(`thumbnails at a ${width} px window: no text under 9 px on screen, no two labels overlapping`, { timeout: 180_000 }, async (t) => {
    const page = await open(t, width);
    if (!page) return;
    const cards = await measure(page);
    const machines = new Set(cards.map((c) => c.machine));
    assert.ok(['vrrp', 'checker', 'realServer', 'virtualServer'].every((m) => machines.has(m)), [...machines].join(' '));
    const smallest = Math.min(...cards.flatMap((c) => c.texts.map((x) => x.px)));
    t.diagnostic(`${width} px window: smallest text ${smallest.toFixed(1)} px on screen`);
    for (const card of cards) {
      assert.ok(card.texts.length >= 3, `${card.actor}: ${card.texts.length} texts`);
      for (const x of card.texts) assert.ok(x.px >= 9, `${card.actor}: "${x.text}" is ${x.px.toFixed(1)} px on screen`);
      for (let i = 0; i < card.texts.length; i++) {
        for (let j = i + 1; j < card.texts.length; j++) {
          const a = card.texts[i]!;
          const b = card.texts[j]!;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          assert.ok(w <= 0.5 || h <= 0.5, `${card.actor}: "${a.text}" and "${b.text}" overlap by ${w.toFixed(1)} × ${h.toFixed(1)} px`);
        }
      }
    }
  });
}

test('the active state, its inner states and the transitions that led to it are marked; the full chart on click', { timeout: 180_000 }, async (t) => {
  const page = await open(t, 1400);
  if (!page) return;
  // At the end of the run lb2's instance is BACKUP after being MASTER: the thumbnail lights BACKUP, writes its
  // inner states in the box, marks MASTER -> BACKUP as the transition that fired and the earlier ones as its trail.
  const card = page.locator('.card[data-actor="lb2/VI_1"]');
  const thumb = card.locator('.chart.thumb');
  await card.scrollIntoViewIfNeeded();
  const state = (await card.locator('.card-head .state').textContent()) ?? '';
  assert.equal(await thumb.locator(`g.box.active[data-state="${state}"]`).count(), 1);
  assert.equal(await thumb.locator('g.box.active').count(), 1, 'one box lit: the thumbnail shows the top-level states');
  const inner = await thumb.locator(`text.slot[data-slot="${state}"]`).textContent();
  const leaves = ((await card.locator('.info').textContent()) ?? '').split(' since ')[0]!.split(', ').map((p) => p.slice(p.lastIndexOf('.') + 1));
  assert.equal(inner, leaves.join(' · '));
  const fired = thumb.locator('g.edge.fired');
  assert.equal(await fired.count(), 1);
  assert.equal(await fired.getAttribute('data-target'), state);
  assert.ok((await thumb.locator('g.edge.trail').count()) >= 1, 'the path before it');
  const artifacts = join(root, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  await page.locator('#charts').screenshot({ path: join(artifacts, 'page-thumbnails.png') });
  // Stepping back to before that change moves the marks with the state: the edge that fired then enters it.
  const firedSource = (await fired.getAttribute('data-source')) ?? '';
  const earlier = await page.evaluate((now) => {
    const badge = document.querySelector('.card[data-actor="lb2/VI_1"] .card-head .state')!;
    for (let i = 0; i < 1000 && badge.textContent === now; i++) document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }));
    return badge.textContent ?? '';
  }, state);
  assert.equal(earlier, firedSource, `before ${state}, lb2 was in ${firedSource}`);
  assert.equal(await thumb.locator(`g.box.active[data-state="${earlier}"]`).count(), 1);
  const firedThen = thumb.locator('g.edge.fired');
  if ((await firedThen.count()) > 0) assert.equal(await firedThen.getAttribute('data-target'), earlier);
  else assert.equal(await thumb.locator(`g.loop.fired[data-state="${earlier}"]`).count(), 1, 'a move inside the state: its loop mark');
  await page.click('#live');

  // The full chart on click: every state of the machine, the thumbnail hidden; a second click brings it back.
  await thumb.click();
  const full = card.locator('.chart.full');
  await full.locator('svg').waitFor();
  assert.equal(await thumb.isVisible(), false);
  const graph = await graphOf('vrrp');
  for (const s of allStates(graph)) assert.equal(await full.locator(`g.box[data-state="${s.path}"]`).count(), 1, s.path);
  assert.ok((await full.locator('g.box.active').count()) >= 2, 'the full chart lights the nested states too');
  assert.equal(await full.locator(`g.edge.fired[data-source^="${firedSource}"]`).count() >= 1, true);
  await full.click();
  assert.equal(await thumb.isVisible(), true);
  assert.equal(await full.isVisible(), false);
});

test('the live page: a machine first seen after the page loaded gets its thumbnail from the endpoint', { timeout: 180_000 }, async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const server = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'late machine', clock, stream });
  const { url } = await server.listen();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(async () => {
    await page.close();
    await server.close();
  });
  await page.goto(url);
  await page.locator('#scrubber').waitFor();
  // A machine the page has never seen: idle -> busy -> idle, and a self-loop on busy.
  const machine = createMachine({ id: 'late', initial: 'idle', states: { idle: { on: { GO: 'busy' } }, busy: { on: { DONE: 'idle', AGAIN: 'busy' } } } });
  const actor = createActor(machine, { id: 'late', inspect: stream.inspector('n1') }).start();
  actor.send({ type: 'GO' });
  const card = page.locator('.card[data-actor="n1/late"]');
  await card.locator('.chart.thumb svg.vigil-thumb').waitFor();
  assert.equal(await card.locator('.chart.thumb g.box.active[data-state="busy"]').count(), 1);
  assert.equal(await card.locator('.chart.thumb g.loop[data-state="busy"]').count(), 1);
  assert.equal(await card.locator('.chart.thumb g.edge.fired').getAttribute('data-on'), 'GO');
  actor.stop();
  assert.deepEqual(errors, []);
});
