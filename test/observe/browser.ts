/**
 * Debian's chromium driven by playwright-core (headless, no sandbox). Absent chromium skips the page tests with
 * the reason printed, except under VIGIL_REQUIRE_NETNS=1 (CI with everything installed), where it fails. Also
 * what several page tests do with it: open a written page, measure the timeline's axis labels.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';

let shared: Promise<Browser> | undefined;

/** The browser, or undefined after skipping the test (chromium not installed). */
export async function requireBrowser(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    const reason = `${CHROMIUM} is not installed (apt-get install chromium)`;
    if (process.env['VIGIL_REQUIRE_NETNS'] === '1') throw new Error(`${reason}, and VIGIL_REQUIRE_NETNS=1 requires the page tests`);
    process.stdout.write(`# skipped: ${reason}\n`);
    t.skip(reason);
    return undefined;
  }
  shared ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  if (b) await (await b).close();
}

/**
 * A new page of the browser on the page file `file` (`vigil sim --html`, staticPageHtml), once `ready` is there;
 * after the test it is closed and no script error may have happened on it. Undefined after skipping the test.
 */
export async function openPageFile(t: TestContext, file: string, ready: string, options: Parameters<Browser['newPage']>[0] = {}): Promise<Page | undefined> {
  const browser = await requireBrowser(t);
  if (!browser) return undefined;
  const page = await browser.newPage(options);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(async () => {
    await page.close();
    assert.deepEqual(errors, []);
  });
  await page.goto(`file://${file}`);
  await page.locator(ready).first().waitFor();
  return page;
}

/** The timeline's axis labels left to right, at least three, none overlapping the next (their boxes measured). */
export async function ticksApart(page: Page, what: string): Promise<string[]> {
  const ticks = await page.evaluate(() =>
    [...document.querySelectorAll('#tl-head text.tick')].map((t) => {
      const r = t.getBoundingClientRect();
      return { left: r.left, right: r.right, label: t.textContent ?? '' };
    }),
  );
  assert.ok(ticks.length >= 3, `${what}: ${ticks.length} ticks`);
  ticks.sort((a, b) => a.left - b.left);
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i - 1]!.right <= ticks[i]!.left, `${what}: "${ticks[i - 1]!.label}" and "${ticks[i]!.label}" overlap`);
  return ticks.map((t) => t.label);
}
