/**
 * Fault campaign (issue 13), the files of a running pair's master: hostile objects at its dump names (a symlink to
 * a file of value, a directory, a FIFO) while it is made to dump again and again, and the file system of its
 * `--record` filling up. Each case on its own LAN, side by side; the backup must never take over (the master
 * neither stalls past Master_Down_Interval nor exits), exactly one VIP holder, the fault named in the log.
 * test/daemon/hostile-files.test.ts has the single-daemon versions (/metrics counters, the replay across the gap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, VIGIL, vigilStatus } from '../daemon/daemons.js';
import { withPair, type Pair } from './fault-pair.js';
import { fillFileSystem } from '../fill-file-system.js';
import { movingTrackFile } from '../moving-track-file.js';
import { plantHostileRunDir } from '../hostile-run-dir.js';

/** The backup has not been MASTER since the mark: the master kept advertising through the fault. */
function backupNeverTookOver(p: Pair, mark: number): void {
  assert.doesNotMatch(p.db.log().slice(mark), /Entering MASTER STATE/, 'the backup took over during the fault');
}

test('faults in the files of a running master', { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  await Promise.all([
    t.test('a symlink, a directory and a FIFO at the dump names, 20 rounds of dump signals: no file followed, no stall, no exit', () =>
      withPair(
        'ld',
        {
          start: 33,
          vip: '192.168.77.69',
          vrid: 69,
          daemonOptions: (h) =>
            h === 'm'
              ? {
                  prepare: plantHostileRunDir,
                }
              : {},
        },
        async (p) => {
          const mark = p.db.log().length;
          const json = Number(spawnSync(VIGIL, ['--signum=JSON'], { encoding: 'utf8' }).stdout);
          const pid = p.dm.vrrpPid()!;
          for (let round = 0; round < 20; round++) {
            for (const signal of ['SIGUSR1', 'SIGUSR2', json] as const) process.kill(pid, signal);
            await delay(100);
          }
          const failures = () => (p.dm.log().match(/stats dump: .*vigil\.stats not written \(EISDIR\)/g) ?? []).length;
          await eventually(async () => failures() >= 1 && /JSON dump written to/.test(p.dm.log()) && /data dump written to/.test(p.dm.log()), 10_000, p.describe);
          assert.equal(readFileSync(join(p.dm.dir, 'victim'), 'utf8'), 'precious\n', 'the symlink was not followed');
          for (const name of ['vigil.data', 'vigil.json']) assert.ok(lstatSync(join(p.dm.dumpDir, name)).isFile(), `${name} replaced by a regular file`);
          assert.ok(lstatSync(join(p.dm.dumpDir, 'vigil.stats')).isDirectory(), 'the directory left alone');
          assert.deepEqual(await p.holders(), ['m']);
          assert.equal((await vigilStatus(p.lan, p.dm)).instances[0]!.state, 'MASTER');
          backupNeverTookOver(p, mark);
          p.assertRunning();
        },
      ),
    ),
    t.test('the file system under --record fills up: the recording is suspended, then resumes, VRRP untouched', async () => {
      // The master's priority moves (150 + 0 or 3, a track_file) every half second: records to write while the disk
      // is full (in a steady state the stream sums advertisements up in one record a minute, which the file's last
      // page would hold). The backup (100) has no reason to take over.
      const tracked = movingTrackFile('vigil-file-faults-');
      const weight = tracked.path;
      try {
        await withPair(
          'lr',
          {
            start: 37,
            vip: '192.168.77.70',
            vrid: 70,
            top: (h) => (h === 'm' ? `vrrp_track_file tf {\n  file ${weight}\n}\n` : ''),
            instanceExtra: (h) => (h === 'm' ? 'track_file {\n    tf weight 1\n  }' : ''),
            daemonOptions: (h) =>
              h === 'm'
                ? {
                    // A 256 KiB tmpfs at DIR/rec in a mount namespace of the master's own.
                    prepare: (dir) => mkdirSync(join(dir, 'rec')),
                    args: (dir) => ['--record', join(dir, 'rec', 'flight.vrec')],
                    wrap: (argv, dir) => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=256k vigil-file-faults "$0" && exec "$@"', join(dir, 'rec'), ...argv],
                  }
                : {},
          },
          async (p) => {
            const mark = p.db.log().length;
            // The master's view of its file system, from outside its mount namespace.
            const rec = `/proc/${p.dm.proc.pid}/root${join(p.dm.dir, 'rec')}`;
            const files = () => readdirSync(rec).map((n) => `${n} ${lstatSync(join(rec, n)).size}`).join(', ');
            await eventually(async () => lstatSync(join(rec, 'flight.vrec')).size > 0, 10_000, p.describe);
            fillFileSystem(join(rec, 'filler'));
            await eventually(async () => /recording .*flight\.vrec suspended \(ENOSPC\)/.test(p.dm.log()), 30_000, async () => `${files()}\n${await p.describe()}`);
            // Advertising goes on while the disk is full: the backup hears at least ten more.
            const heard = async () => (await vigilStatus(p.lan, p.db)).instances[0]!.counters.adverts_received;
            const before = await heard();
            await eventually(async () => (await heard()) >= before + 10, 20_000, p.describe);
            assert.deepEqual(await p.holders(), ['m']);
            rmSync(join(rec, 'filler'));
            await eventually(async () => /recording .*flight\.vrec resumed in a new file after losing \d+ records \(ENOSPC\)/.test(p.dm.log()), 30_000, async () => `${files()}\n${await p.describe()}`);
            assert.deepEqual(await p.holders(), ['m']);
            backupNeverTookOver(p, mark);
            p.assertRunning();
          },
        );
      } finally {
        await tracked.stop();
      }
    }),
  ]);
});
