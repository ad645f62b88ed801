/**
 * The flight recorder on a full file system (a 64 KiB tmpfs in a private mount namespace, the real thing): no
 * write ever throws into the daemon; the file is cut back to its last whole frame and the recording suspended,
 * said once; while still full nothing is disturbed; once there is room a new file starts whose header tells the
 * gap and whose checkpoint gives the state at its end, so the replay is whole and says what was lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Report {
  thrown: string[];
  warnings: string[];
  beforeFull: number;
  suspended: boolean;
  lostWhileFull: number;
  stillSuspended: boolean;
  resumed: boolean;
  writeFailures: number;
  filesWhileFull: string[];
  filesAfter: string[];
  truncated: boolean;
  faults: string[];
  lastStep: { event: string; state: string[] };
  stepEvents: string[];
}

const fixture = fileURLToPath(new URL('./fixtures/full-disk-recorder.js', import.meta.url));

function canMount(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k vigil-harden-files /mnt'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `cannot mount a tmpfs in a private mount namespace: ${probe.stderr.trim()}`;
}

test('ENOSPC while recording: suspended, never thrown, resumed in a new file that tells the gap', { timeout: 60_000 }, (t) => {
  const why = canMount();
  if (why) {
    if (process.env['VIGIL_REQUIRE_NETNS'] === '1') assert.fail(why);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k vigil-harden-files "$0" && exec "$1" "$2" "$0"', dir, process.execPath, fixture],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.thrown, []);
  assert.ok(report.suspended, 'suspended when the disk filled');
  assert.equal(report.writeFailures, 1, 'one failure: no retry storm while suspended');
  assert.ok(report.lostWhileFull > 0 && report.lostWhileFull < 200, `${report.lostWhileFull} records lost`);
  assert.ok(report.stillSuspended);
  assert.deepEqual(report.filesWhileFull, ['filler', 'flight.vrec'], 'no temporary file left by the failed retry');
  assert.ok(report.resumed);
  assert.deepEqual(report.filesAfter, ['flight.vrec', 'flight.vrec.1']);
  assert.equal(report.warnings.length, 2);
  assert.match(report.warnings[0]!, /flight\.vrec suspended \(ENOSPC\)/);
  assert.match(report.warnings[1]!, new RegExp(`resumed in a new file after losing ${report.lostWhileFull} records \\(ENOSPC\\)`));
  // The replay: whole frames only, the gap said, and the story goes on to the last record.
  assert.equal(report.truncated, false);
  assert.deepEqual(report.faults, [`recording gap: ${report.lostWhileFull} records lost (ENOSPC)`]);
  assert.deepEqual(report.lastStep.event, 'E214');
  assert.deepEqual(report.lastStep.state, ['BACKUP']);
  const kept = report.stepEvents.filter((e) => /^E\d+$/.test(e)).map((e) => Number(e.slice(1)));
  assert.deepEqual(kept.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'what was written before the disk filled is there');
  assert.deepEqual(kept.slice(-5), [210, 211, 212, 213, 214]);
});
