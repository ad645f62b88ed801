/**
 * The page's time axis for a recording with wall-clock time (a daemon's: `vigil replay`, the live page): times of
 * day (`10:00`, `10:00:30`) at the whole run, down to milliseconds (`10:00:01.250`) zoomed in, labels measured
 * from the DOM never overlapping; the record line names the time of day; "clock time" unticked goes back to time
 * since the start. A simulation's page (no wall clock) has no such box and keeps its relative labels.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ObservedEvent } from '../../observe/observed-event.js';
import { staticPageHtml } from '../../observe/page/static-page.js';
import { closeBrowser, openPageFile, ticksApart } from './browser.js';
import { siteRecording } from './site-recording.js';

let dir: string;
const files: { wall: string; sim: string; site: string } = { wall: '', sim: '', site: '' };
// The daemon's monotonic clock read 0 at this moment (not a round one: the ticks must still fall on round times).
const ZERO = Date.UTC(2026, 0, 1, 9, 59, 47, 123);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-clock-axis-'));
  const site = siteRecording({ nodes: 2, instances: 6, hours: 3 });
  files.wall = join(dir, 'wall.html');
  files.sim = join(dir, 'sim.html');
  writeFileSync(files.wall, await staticPageHtml(site.events, { title: 'daemon', startMs: 0, endMs: site.endMs, wallAtZeroMs: ZERO }));
  writeFileSync(files.sim, await staticPageHtml(site.events, { title: 'sim', startMs: 0, endMs: site.endMs }));
  // Records whose times are wall-clock times themselves (`vigil site` moves every daemon's records onto its clock).
  const onWallClock = site.events.map((e): ObservedEvent => (e.kind === 'bus' ? { ...e, at: e.at + ZERO, message: { ...e.message, at: e.message.at + ZERO } } : { ...e, at: e.at + ZERO }));
  files.site = join(dir, 'site.html');
  writeFileSync(files.site, await staticPageHtml(onWallClock, { title: 'site', startMs: ZERO, endMs: ZERO + site.endMs }));
});
after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

const open = (t: TestContext, file: string): Promise<Page | undefined> => openPageFile(t, file, '#tl-rows .row', { viewport: { width: 1200, height: 900 }, timezoneId: 'UTC' });

const timeOfDay = /^(\d\d:\d\d(:\d\d(\.\d{1,3})?)?|\d\d-\d\d)$/;

test('a recording with wall-clock time: times of day on the axis at every zoom, to the millisecond', { timeout: 180_000 }, async (t) => {
  const page = await open(t, files.wall);
  if (!page) return;
  assert.equal(await page.locator('#clock-time').isChecked(), true);
  const whole = await ticksApart(page, 'whole run');
  assert.ok(whole.every((l) => timeOfDay.test(l)), whole.join(' '));
  // 09:59:47 + 3 h: the hours 10, 11 and 12 are on the axis.
  assert.ok(whole.some((l) => l.startsWith('10:')) && whole.some((l) => l.startsWith('12:')), whole.join(' '));
  // The record line says when, by the clock.
  await page.click('#first');
  await page.keyboard.press('ArrowRight');
  assert.match(await page.locator('#position').innerText(), /\(2026-01-01 \d\d:\d\d:\d\d\.\d{3}\)/);

  // Zoomed in step by step to about a second: still apart, still times of day, then milliseconds.
  let last: string[] = whole;
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('+');
    await page.waitForFunction((before) => [...document.querySelectorAll('#tl-head text.tick')].map((x) => x.textContent).join(' ') !== before, last.join(' '));
    last = await ticksApart(page, `zoom ${i + 1}`);
    assert.ok(last.every((l) => timeOfDay.test(l)), `zoom ${i + 1}: ${last.join(' ')}`);
  }
  assert.ok(last.some((l) => /\.\d+$/.test(l)), `milliseconds when zoomed in: ${last.join(' ')}`);

  // Time since the start instead.
  await page.keyboard.press('0');
  await page.locator('#clock-time').uncheck();
  const relative = await ticksApart(page, 'relative');
  assert.ok(!relative.some((l) => /^\d\d:\d\d/.test(l)), relative.join(' '));
  assert.notDeepEqual(relative, whole);
});

test('a simulation (no wall clock): no clock-time box, relative labels', { timeout: 180_000 }, async (t) => {
  const page = await open(t, files.sim);
  if (!page) return;
  assert.equal(await page.locator('#clock-time').isVisible(), false);
  const labels = await ticksApart(page, 'sim');
  assert.ok(labels.every((l) => /^(0|\+\d+ h|\d+:\d\d|\d+ min)$/.test(l)), labels.join(' '));
});

test("records on the wall clock (vigil site's page): times of day, and the box turns them into time since the start", { timeout: 180_000 }, async (t) => {
  const page = await open(t, files.site);
  if (!page) return;
  assert.equal(await page.locator('#clock-time').isChecked(), true);
  const labels = await ticksApart(page, 'site');
  assert.ok(labels.every((l) => timeOfDay.test(l)) && labels.some((l) => l.startsWith('10:')), labels.join(' '));
  await page.locator('#clock-time').uncheck();
  const relative = await ticksApart(page, 'site, relative');
  assert.ok(relative.every((l) => /^(0|\+\d+ h|\d+:\d\d|\d+ min)$/.test(l)), relative.join(' '));
});
