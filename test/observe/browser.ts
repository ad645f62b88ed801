/**
 * Debian's chromium driven by playwright-core (headless, no sandbox). Absent chromium skips the page tests with
 * the reason printed, except under VIGIL_REQUIRE_NETNS=1 (CI with everything installed), where it fails.
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

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
