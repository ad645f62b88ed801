/**
 * `vigil sim --record --svg --html` and `vigil replay`: the replayed JSON has the transitions and VIP changes of
 * `vigil sim --json` (which prints the same bytes as an unobserved run), the timeline picture has one segment per transition and one line per fault, the pages are
 * written, and a file that is not a recording is refused (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { checkXml } from './xml-check.js';
import { FlightRecorder } from '../../observe/flight-recorder.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const vigil = `${root}bin/vigil`;

test('vigil sim --record/--svg/--html, then vigil replay of the recording', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [rec, svg, html] = ['run.vrec', 'run.svg', 'run.html'].map((f) => join(dir, f));
  const sim = await run(vigil, ['sim', `${root}examples/two-node-failover.json`, '--seed', '4', '--json', '--record', rec!, '--svg', svg!, '--html', html!]);
  const result = JSON.parse(sim.stdout) as { transitions: unknown[]; vips: unknown[] };
  // Observing changes nothing of the run (issue 17: observed runs keep the steady-state shortcut): the same bytes.
  const plain = await run(vigil, ['sim', `${root}examples/two-node-failover.json`, '--seed', '4', '--json']);
  assert.equal(sim.stdout, plain.stdout);
  const replay = await run(vigil, ['replay', rec!, '--json']);
  const replayed = JSON.parse(replay.stdout) as { source: string; meta: Record<string, unknown>; transitions: unknown[]; vips: unknown[]; faults: unknown[] };
  assert.equal(replayed.source, 'sim');
  assert.equal(replayed.meta['seed'], 4);
  assert.deepEqual(replayed.transitions, result.transitions);
  assert.deepEqual(replayed.vips, result.vips);
  assert.equal(replayed.faults.length, 6);

  const picture = readFileSync(svg!, 'utf8');
  checkXml(picture);
  assert.equal((picture.match(/<rect class="seg"/g) ?? []).length, result.transitions.length);
  assert.equal((picture.match(/<g class="fault">/g) ?? []).length, 6);
  assert.ok(picture.includes('>crash lb1<'));
  // lb1's process was down twice (crashed 10-20 s, stopped 30-35 s): DOWN bands on its lanes, none on lb2's.
  const bands = [...picture.matchAll(/<rect class="down" data-lane="(\S+) [^"]*" x="([\d.]+)"/g)];
  assert.ok(bands.length >= 2 && bands.every((b) => b[1] === 'lb1'), bands.map((b) => b[0]).join('\n'));
  assert.match(readFileSync(html!, 'utf8'), /^<!doctype html>/);

  const page = join(dir, 'replay.html');
  await run(vigil, ['replay', rec!, '-o', page]);
  const text = readFileSync(page, 'utf8');
  assert.match(text, /^<!doctype html>/);
  assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(text), 'nothing loaded from elsewhere');

  const bogus = join(dir, 'bogus.vrec');
  writeFileSync(bogus, 'not a recording');
  await assert.rejects(run(vigil, ['replay', bogus]), (err: { code?: number; stderr?: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr ?? '', /not a vigil flight recording/);
    return true;
  });
});

test("vigil replay of a daemon's recording: its clock's epoch (clock_epoch_ms) puts times of day on the axis", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-daemon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rec = join(dir, 'lb1.vrec');
  // The daemon's monotonic clock read 0 at 10:00:00 UTC; its records span 10:00:05 to 10:02:05.
  const epoch = Date.UTC(2026, 0, 1, 10, 0, 0);
  const recorder = new FlightRecorder({ path: rec, source: 'daemon', meta: { node: 'lb1', clock_epoch_ms: epoch }, bufferBytes: 0 });
  recorder.write({ kind: 'process', at: 5_000, node: 'lb1', up: true, cause: 'start' });
  recorder.write({ kind: 'bus', at: 6_000, message: { kind: 'transition', at: 6_000, node: 'lb1', instance: 'VI_1', from: 'INIT', to: 'BACKUP', priority: 100 } });
  recorder.write({ kind: 'bus', at: 9_600, message: { kind: 'transition', at: 9_600, node: 'lb1', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100 } });
  recorder.write({ kind: 'bus', at: 125_000, message: { kind: 'transition', at: 125_000, node: 'lb1', instance: 'VI_1', from: 'MASTER', to: 'BACKUP', priority: 100 } });
  recorder.close();
  const svg = join(dir, 'lb1.svg');
  const page = join(dir, 'lb1.html');
  await run(vigil, ['replay', rec, '--svg', svg, '-o', page], { env: { ...process.env, TZ: 'UTC' } });
  const ticks = [...readFileSync(svg, 'utf8').matchAll(/<text class="tick"[^>]*>([^<]+)</g)].map((m) => m[1]!);
  assert.ok(ticks.length >= 3 && ticks.every((l) => /^10:0[0-2]:\d\d$|^10:0[0-2]$/.test(l)), ticks.join(' '));
  // The page carries the epoch of the records' time 0 (they start at the first record, 5 s after the clock's 0).
  assert.match(readFileSync(page, 'utf8'), new RegExp(`"wallAtZeroMs":${epoch}[,}]`));
});
