/**
 * reload_time_file and reload_repeat (transport/real/reload-time-file.ts): keepalived's three formats, a time
 * alone rolling to tomorrow, a past date ignored, impossible times refused; and the monitor on a real file: a
 * reload when the time comes, the file deleted (kept with reload_repeat for a time alone), a deleted file
 * cancelling the reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseReloadTime, ReloadTimeMonitor } from '../../transport/real/reload-time-file.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

test('the three formats in UTC; a time alone already past is tomorrow; a past date is ignored', () => {
  assert.deepEqual(parseReloadTime('13:30:00Z', NOW), { at: Date.UTC(2026, 11, 3, 13, 30, 0), dateSpecified: false });
  assert.deepEqual(parseReloadTime('11:00:00Z', NOW), { at: Date.UTC(2026, 11, 4, 11, 0, 0), dateSpecified: false });
  assert.deepEqual(parseReloadTime('26-12-25 08:00:00Z', NOW), { at: Date.UTC(2026, 11, 25, 8, 0, 0), dateSpecified: true });
  assert.deepEqual(parseReloadTime('2027-01-02 00:00:01Z', NOW), { at: Date.UTC(2027, 0, 2, 0, 0, 1), dateSpecified: true });
  assert.match(String((parseReloadTime('2026-12-01 08:00:00Z', NOW) as { problem: string }).problem), /in the past/);
});

test('what keepalived refuses: another format, spaces, impossible times', () => {
  for (const text of ['13:30', ' 13:30:00', '13:30:00 ', '2026-12-03  13:30:00', '25:00:00Z', '2026-02-30 10:00:00Z', '13:30:00z']) {
    assert.ok('problem' in parseReloadTime(text, NOW), text);
  }
});

async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (check()) return true;
    await delay(50);
  }
  return check();
}

/** HH:MM:SS local time, `seconds` from now. */
const localTimeIn = (seconds: number): string => {
  const t = new Date(Date.now() + seconds * 1000);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
};

test('the monitor reloads at the time the file names and deletes it; with reload_repeat a time alone stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-rtf-'));
  const file = join(dir, 'reload-at');
  for (const repeat of [false, true]) {
    let reloads = 0;
    const monitor = new ReloadTimeMonitor(() => reloads++, { info() {}, warn() {} });
    try {
      monitor.update({ file, repeat });
      // Created after the monitor started: seen from the directory.
      writeFileSync(file, `${localTimeIn(2)}\n`);
      assert.ok(await until(() => reloads === 1), `repeat ${repeat}: no reload`);
      assert.equal(existsSync(file), repeat, `repeat ${repeat}: the file ${repeat ? 'went' : 'stayed'}`);
    } finally {
      monitor.close();
      rmSync(file, { force: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('deleting the file cancels the reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-rtf-'));
  const file = join(dir, 'reload-at');
  let reloads = 0;
  const infos: string[] = [];
  const monitor = new ReloadTimeMonitor(() => reloads++, { info: (m) => infos.push(m), warn() {} });
  try {
    writeFileSync(file, `${localTimeIn(3)}\n`);
    monitor.update({ file, repeat: false });
    assert.ok(infos.some((m) => m.startsWith('scheduling reload for')), infos.join('\n'));
    unlinkSync(file);
    assert.ok(await until(() => infos.some((m) => m.startsWith('cancelling the reload'))), infos.join('\n'));
    await delay(4000);
    assert.equal(reloads, 0);
  } finally {
    monitor.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
