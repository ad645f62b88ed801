/**
 * BFD sessions on the page (observe/page): the page of a simulated run where lb1 tracks its BFD session to a
 * gateway that dies, in a real browser (chromium through playwright-core). Each session is a lane of its own
 * (`node bfd:NAME`) whose bands are its RFC 5880 states, drawn in their colours, with a BFD legend; at the end
 * lb1's session is Down and the instance tracking it FAULT; the filter `kind=bfd` keeps the sessions alone.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticPageHtml } from '../../observe/page/static-page.js';
import { bfdGatewayRun } from './bfd-gateway-run.js';
import { closeBrowser, requireBrowser } from './browser.js';

after(closeBrowser);


test('the page draws BFD sessions as lanes: state bands, legend, state at the cursor, filter kind=bfd', async (t) => {
  const browser = await requireBrowser(t);
  if (!browser) return;
  const { events, durationMs } = bfdGatewayRun();
  const bfd = events.flatMap((e) => (e.kind === 'bus' && e.message.kind === 'bfd' ? [e.message] : []));
  const changes = (node: string) => bfd.filter((m) => m.node === node);
  assert.ok(changes('lb1').some((m) => m.to === 'Down' && m.at > 4000), JSON.stringify(bfd));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bfd-page-'));
  const file = join(dir, 'run.html');
  writeFileSync(file, await staticPageHtml(events, { title: 'bfd-page seed 1', startMs: 0, endMs: durationMs }));
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  t.after(async () => {
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  const lane = page.locator('#tl-rows .row.lane[data-lane="lb1 bfd:gw"]');
  await lane.waitFor();
  // One band per change of the session, each in its state's colour; Up green, Down red.
  const bands = lane.locator('rect.seg');
  assert.deepEqual(await bands.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-state'))), changes('lb1').map((m) => m.to));
  const fill = (state: string) => lane.locator(`rect.seg[data-state="${state}"]`).first().getAttribute('fill');
  assert.equal(await fill('Up'), '#2da44e');
  assert.equal(await fill('Down'), '#cf222e');
  // The badge: the session's state at the cursor (the end), and the tracking instance FAULT.
  assert.equal(await lane.locator('.lane-label .state').innerText(), 'Down');
  assert.equal(await page.locator('#tl-rows .row.lane[data-lane="lb1 VI_1"] .lane-label .state').innerText(), 'FAULT');
  assert.equal(await page.locator('#timeline rect.legend-bfd').count(), 4);
  // kind=bfd: the two sessions' lanes alone.
  await page.fill('#filter', 'kind=bfd');
  await page.waitForFunction(() => document.querySelectorAll('#tl-rows .row.lane').length === 2);
  const shown = await page.locator('#tl-rows .row.lane').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-lane')).sort());
  assert.deepEqual(shown, ['gw bfd:lb1', 'lb1 bfd:gw']);
  assert.deepEqual(errors, []);
});
