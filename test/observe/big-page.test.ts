/**
 * The page of a whole site over hours (issue 17): 3 routers × 255 VRRP instances, 4 hours with a crash and
 * restart, a FAULT incident and a flapping lane (test/observe/site-recording.ts), written as `vigil replay` and
 * `vigil sim --html` write it and loaded in headless Chromium. Checked from the DOM: only the rows in sight are
 * in it (lanes and actors), the grouping by node and by VRID, identical lanes merged with a count and opened on
 * click, groups collapsed, the filter, "changed in view" after zooming in, the DOWN band and DOWN states while
 * r1's process is down (the VIP line kept), next/previous within the filtered lanes, and axis labels that never
 * overlap (their boxes measured) at every zoom.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { staticPageHtml } from '../../observe/page/static-page.js';
import { closeBrowser, openPageFile, ticksApart } from './browser.js';
import { siteRecording, type SiteRecording } from './site-recording.js';

const artifacts = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-artifacts');
let dir: string;
let file: string;
let site: SiteRecording;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-big-page-'));
  site = siteRecording({ nodes: 3, instances: 255, hours: 4 });
  file = join(dir, 'site.html');
  writeFileSync(file, await staticPageHtml(site.events, { title: 'site 3 × 255, 4 h', startMs: 0, endMs: site.endMs }));
});
after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

const count = (page: Page, selector: string): Promise<number> => page.locator(selector).count();
const data = async (page: Page, name: string): Promise<number> => Number(await page.locator('body').getAttribute(`data-${name}`));

/** Puts the cursor just past the last record at or before `t`. */
async function cursorAt(page: Page, t: number): Promise<void> {
  // Every record of the site belongs on the page, so record numbers are indices into site.events.
  const position = site.events.findIndex((e) => e.at > t);
  await page.evaluate((p) => {
    const s = document.getElementById('scrubber') as HTMLInputElement;
    s.value = String(p);
    s.dispatchEvent(new Event('input'));
  }, position < 0 ? site.events.length : position);
}

const open = (t: TestContext): Promise<Page | undefined> => openPageFile(t, file, '#tl-rows .row', { viewport: { width: 1400, height: 1000 } });

async function setFilter(page: Page, text: string): Promise<void> {
  await page.fill('#filter', text);
}

test('255 × 3 over 4 h: lanes grouped by node, identical ones merged, rows and actors virtualised', { timeout: 180_000 }, async (t) => {
  const page = await open(t);
  if (!page) return;
  assert.equal(await data(page, 'records'), site.events.length);
  assert.equal(await data(page, 'matching'), 3 * 255);
  // One group per node; at the scale of the whole run most of a node's lanes have the same history.
  assert.deepEqual(await page.locator('#tl-rows .row.group b').allInnerTexts(), ['r1', 'r2', 'r3']);
  const merged = await page.locator('#tl-rows .row.lane').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset['count'])));
  assert.equal(merged.reduce((a, b) => a + b, 0), 3 * 255, 'every lane is in one row');
  assert.ok(Math.max(...merged) >= 200, `a merged row stands for most of a node's lanes: ${merged.join(' ')}`);
  // r2's VI_7 flaps: it has a row of its own.
  assert.equal(await page.locator('#tl-rows .row.lane[data-lane="r2 VI_7"]').getAttribute('data-count'), '1');

  // Opened, a merged row lists its members as rows of their own; the DOM keeps only the rows in sight.
  const big = page.locator('#tl-rows .row.lane[data-count]').filter({ has: page.locator('.count') }).first();
  const members = Number(await big.getAttribute('data-count'));
  await big.locator('.count').click();
  const rows = await data(page, 'rows');
  assert.ok(rows >= members + 3, `${rows} rows after opening a row of ${members}`);
  const inDom = await count(page, '#tl-rows .row');
  assert.ok(inDom < 60 && inDom < rows / 4, `${inDom} rows in the DOM of ${rows}`);
  // Scrolled to the end, the last rows are drawn and the first ones gone.
  await page.locator('#tl-body').evaluate((b) => (b.scrollTop = b.scrollHeight));
  await page.waitForFunction(() => document.querySelector('#tl-rows .row.group[data-group="node:r3"]') !== null);
  assert.ok((await count(page, '#tl-rows .row')) < 60);
  assert.equal(await count(page, '#tl-rows .row.group[data-group="node:r1"]'), 0);

  // The actor list: 765 actors, a few dozen in the DOM.
  const actorRows = await count(page, '#actors li');
  assert.ok(actorRows > 10 && actorRows < 80, `${actorRows} actor rows in the DOM`);
  assert.ok(Number(await page.locator('#actors').evaluate((el) => (el as HTMLElement).offsetHeight)) > 765 * 20);

  // Collapsing a group hides its lanes; Collapse folds them all.
  await page.locator('#tl-body').evaluate((b) => (b.scrollTop = 0));
  await page.click('#expand-all');
  const before = await data(page, 'rows');
  await page.locator('#tl-rows .row.group[data-group="node:r1"]').click();
  assert.equal(await count(page, '#tl-rows .row.group.collapsed[data-group="node:r1"]'), 1);
  assert.equal(await count(page, '#tl-rows .row.lane[data-lane^="r1 "]'), 0);
  assert.ok((await data(page, 'rows')) < before);
  await page.click('#collapse-all');
  assert.equal(await data(page, 'rows'), 3);
  assert.equal(await count(page, '#tl-rows .row.lane'), 0);
});

test('grouped by VRID: one group per virtual router across the nodes, bounded DOM, filter narrows to one', { timeout: 180_000 }, async (t) => {
  const page = await open(t);
  if (!page) return;
  await page.selectOption('#group-by', 'vrid');
  const rows = await data(page, 'rows');
  assert.ok(rows >= 2 * 255, `${rows} rows: a group and its lanes per VRID`);
  assert.ok((await count(page, '#tl-rows .row')) < 60);
  assert.equal(await page.locator('#tl-rows .row.group').first().locator('b').innerText(), 'VRID 1 on eth0');

  await setFilter(page, 'vrid=200');
  assert.equal(await data(page, 'matching'), 3);
  assert.deepEqual(await page.locator('#tl-rows .row.group b').allInnerTexts(), ['VRID 200 on eth1']);
  await setFilter(page, 'instance=vi_7 node=r2');
  assert.equal(await data(page, 'matching'), 1);
  assert.equal(await count(page, '#tl-rows .row.lane[data-lane="r2 VI_7"]'), 1);
  // The actor list follows the filter.
  assert.deepEqual(await page.locator('#actors li.actor').evaluateAll((l) => l.map((x) => (x as HTMLElement).dataset['actor'])), ['r2/VI_7']);

  // Next / previous go from transition to transition of the filtered lanes only (and faults).
  await page.click('#first');
  await page.click('#next');
  await page.click('#next');
  assert.match(await page.locator('#position').innerText(), /r2\/VI_7: BACKUP → MASTER/);
  await page.click('#next');
  assert.match(await page.locator('#position').innerText(), /r2\/VI_7: MASTER → BACKUP/);
  await page.click('#prev');
  assert.match(await page.locator('#position').innerText(), /r2\/VI_7: BACKUP → MASTER/);

  // By interface: two groups.
  await setFilter(page, '');
  await page.selectOption('#group-by', 'interface');
  assert.deepEqual(await page.locator('#tl-rows .row.group b').allInnerTexts(), ['interface eth0', 'interface eth1']);
});

test('a crashed node: DOWN band on its lanes, DOWN state in the lists, its VIP line kept, the record says whose process', { timeout: 180_000 }, async (t) => {
  const page = await open(t);
  if (!page) return;
  await cursorAt(page, site.at.crash + 60_000);
  // The lane label, the group summary, the actor list and the statechart card say DOWN, not MASTER.
  const r1 = page.locator('#tl-rows .row.lane[data-lane^="r1 "]').first();
  assert.equal(await r1.locator('.lane-label .state').innerText(), 'DOWN');
  assert.match(await page.locator('#tl-rows .row.group[data-group="node:r1"]').innerText(), /255 DOWN/);
  assert.equal(await page.locator('#actors li.actor[data-actor="r1/VI_1"] .state').innerText(), 'DOWN');
  assert.equal(await page.locator('#actors li.node .state.s-DOWN').count(), 1);
  assert.equal(await page.locator('.card[data-actor="r1/VI_1"] .state').innerText(), 'DOWN');
  assert.match(await page.locator('.card[data-actor="r1/VI_1"] .info').innerText(), /process of r1 down \(crash\)/);
  assert.equal(await count(page, '.card[data-actor="r1/VI_1"] g.box.active'), 0);
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'page-site-crash.png') });
  // The band covers the crash to the restart; the VIP line goes on through it (the addresses stay).
  const band = await r1.locator('rect.down').evaluate((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) }));
  const vips = await r1.locator('rect.vip').evaluateAll((l) => l.map((r) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')) })));
  assert.ok(vips.some((v) => v.x < band.x && v.x + v.w >= band.x + band.w - 1), `a VIP bar spans the DOWN band: ${JSON.stringify({ band, vips })}`);
  const plotW = await r1.locator('svg.lane-svg').evaluate((s) => Number(s.getAttribute('width')));
  const expected = ((site.at.restart - site.at.crash) / site.endMs) * plotW;
  assert.ok(Math.abs(band.w - expected) < 2, `band ${band.w} px, expected ${expected}`);
  // The other nodes are not DOWN.
  assert.match(await page.locator('#tl-rows .row.group[data-group="node:r2"]').innerText(), /255 MASTER/);
  assert.doesNotMatch(await page.locator('#tl-rows .row.group[data-group="node:r3"]').innerText(), /DOWN/);
  // The record of the crash names the node whose process went down; after the restart r1 is not DOWN.
  const crashRecord = site.events.findIndex((e) => e.kind === 'process' && !e.up);
  await page.evaluate((p) => {
    const s = document.getElementById('scrubber') as HTMLInputElement;
    s.value = String(p);
    s.dispatchEvent(new Event('input'));
  }, crashRecord + 1);
  assert.match(await page.locator('#position').innerText(), /r1: process DOWN \(crash\)/);
  await cursorAt(page, site.at.restart + 60_000);
  assert.equal(await page.locator('#actors li.actor[data-actor="r1/VI_1"] .state').innerText(), 'MASTER');
  // The filter finds lanes by their state at the cursor.
  await cursorAt(page, site.at.crash + 60_000);
  await setFilter(page, 'state=down');
  assert.equal(await data(page, 'matching'), 255);
});

test('zoom: axis labels never overlap at any span; "changed in view" keeps the lanes that changed in the window', { timeout: 180_000 }, async (t) => {
  const page = await open(t);
  if (!page) return;
  const whole = await ticksApart(page, 'whole run');
  assert.ok(whole.includes('1:00') || whole.includes('+1 h'), `hours on a 4 h axis: ${whole.join(' ')}`);
  // Zoom in around the FAULT incident, step by step down to milliseconds.
  await cursorAt(page, site.at.trackDown + 1100);
  const seen: string[][] = [whole];
  for (let i = 0; i < 20; i++) {
    await page.click('#zoom-in');
    seen.push(await ticksApart(page, `zoom ${i + 1}`));
  }
  assert.ok(seen.at(-1)!.some((l) => /\.\d/.test(l)), `ms near events: ${seen.at(-1)!.join(' ')}`);
  assert.notDeepEqual(seen[3], seen[0]);
  // A window of 7.5 minutes around the incident (4 h halved 5 times): only its 21 lanes changed in it.
  await page.click('#zoom-all');
  for (let i = 0; i < 5; i++) await page.click('#zoom-in');
  await page.click('#changed');
  const matching = await data(page, 'matching');
  assert.equal(matching, site.faultVrids.length);
  const lanes = await page.locator('#tl-rows .row.lane').evaluateAll((l) => l.map((x) => (x as HTMLElement).dataset['lane']!));
  assert.ok(lanes.every((l) => l.startsWith('r3 ')), lanes.join(', '));
  assert.ok(await count(page, '#tl-rows rect.seg[data-state="FAULT"]') >= 1);
  // The keyboard zooms (+) and pans (]); the wheel over the axis zooms; dragging a lane pans.
  await page.click('#zoom-all');
  await page.click('#changed');
  const ticks = (): Promise<string[]> => page.locator('#tl-head text.tick').allTextContents();
  const all = await ticks();
  await page.keyboard.press('+');
  const zoomed = await ticks();
  assert.notDeepEqual(zoomed, all);
  await page.keyboard.press(']');
  const panned = await ticks();
  assert.notDeepEqual(panned, zoomed);
  const head = (await page.locator('#tl-head').boundingBox())!;
  await page.mouse.move(head.x + head.width * 0.6, head.y + head.height / 2);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((before) => [...document.querySelectorAll('#tl-head text.tick')].map((t) => t.textContent).join(' ') !== before, panned.join(' '));
  const wheeled = await ticks();
  const lane = (await page.locator('#tl-rows svg.lane-svg').first().boundingBox())!;
  await page.mouse.move(lane.x + lane.width / 2, lane.y + 5);
  await page.mouse.down();
  await page.mouse.move(lane.x + lane.width / 2 - 300, lane.y + 5, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((before) => [...document.querySelectorAll('#tl-head text.tick')].map((t) => t.textContent).join(' ') !== before, wheeled.join(' '));
  await ticksApart(page, 'after wheel and drag');
  // The whole run again: every lane changed at some time.
  await page.click('#changed');
  await page.click('#zoom-all');
  await ticksApart(page, 'whole run again');
  assert.ok((await data(page, 'matching')) > 255);
});
