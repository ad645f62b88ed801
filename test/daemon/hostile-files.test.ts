/**
 * A running vigil (in a network namespace) against what others may have put where it writes: at its dump
 * names a symlink to a file of value, a directory and a FIFO; a stale pid file naming a live process that is not
 * vigil; a second vigil started on the same pid file; a file system that fills up under `--record`; and its dump
 * signals sent while it starts. The daemon never follows, blocks or exits: it stays MASTER and keeps advertising,
 * and what it could not write is logged and counted in /metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { readRecording } from '../../observe/recording-reader.js';
import { realtimeSignals } from '../../transport/real/keepalived-signals.js';
import { addressesIn, eventually, startDaemon, VIGIL, type Daemon, stopDaemons } from './daemons.js';
import { fillFileSystem } from '../fill-file-system.js';
import { movingTrackFile } from '../moving-track-file.js';
import { plantHostileRunDir } from '../hostile-run-dir.js';

const CONFIG = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 61
  priority 100
  version 3
  advert_int 0.1
  virtual_ipaddress {
    192.168.77.190/26
  }
}
`;

interface Status {
  instances: { name: string; state: string; counters: { adverts_sent: number } }[];
}

function status(ns: string, d: Daemon): Status {
  const r = spawnSync('ip', ['netns', 'exec', ns, VIGIL, 'status', '--json', '--socket', d.statusSocket], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

function metrics(ns: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9650/metrics'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const alive = (d: Daemon): boolean => d.proc.exitCode === null && d.proc.signalCode === null;

test('dumps, pid file: a symlink, a directory and a FIFO at the dump names, a stale pid file, a second daemon', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'hardenfiles', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 130, v4PrefixLength: 26 });
  const v = lan.host('v');
  // A live process that is not vigil, named in the pid file left behind.
  const other = spawn('sleep', ['600'], { stdio: 'ignore' });
  const daemons: Daemon[] = [];
  try {
    const d = startDaemon(lan, v, 'vigil', CONFIG, {
      args: () => ['--http', '127.0.0.1:9650'],
      prepare: (dir) => {
        plantHostileRunDir(dir);
        writeFileSync(join(dir, 'main.pid'), `${other.pid}\n`);
      },
    });
    daemons.push(d);
    await eventually(async () => (await addressesIn(lan, v)).includes('192.168.77.190'), 15_000, () => d.log());
    assert.equal(readFileSync(d.pidFile, 'utf8'), `${d.proc.pid}\n`, 'the stale pid file was replaced');

    process.kill(d.vrrpPid()!, 'SIGUSR1');
    process.kill(d.vrrpPid()!, 'SIGUSR2');
    // The JSON dump: keepalived's JSON signal (SIGRTMIN+2), by the number `vigil --signum=JSON` prints.
    process.kill(d.vrrpPid()!, Number(spawnSync(VIGIL, ['--signum=JSON'], { encoding: 'utf8' }).stdout));
    await eventually(async () => /data dump written to/.test(d.log()) && /JSON dump written to/.test(d.log()) && /stats dump: .*vigil\.stats not written \(EISDIR\)/.test(d.log()), 10_000, () => d.log());
    assert.equal(readFileSync(join(d.dir, 'victim'), 'utf8'), 'precious\n', 'the symlink was not followed');
    for (const name of ['vigil.data', 'vigil.json']) {
      const st = lstatSync(join(d.dumpDir, name));
      assert.ok(st.isFile(), `${name} is a regular file`);
      assert.equal(st.mode & 0o777, 0o600);
    }
    assert.match(readFileSync(join(d.dumpDir, 'vigil.data'), 'utf8'), /VRRP instance VI_1\n {3}state {18}MASTER/);
    assert.ok(lstatSync(join(d.dumpDir, 'vigil.stats')).isDirectory());
    assert.ok(alive(d));
    assert.equal(status(v.ns, d).instances[0]!.state, 'MASTER');
    assert.match(metrics(v.ns), /^vigil_file_write_failures_total\{file="dump"\} 1$/m);

    // A second daemon on the same pid file: refused in one line, the first one's file left as it was.
    const second = spawnSync('ip', ['netns', 'exec', v.ns, VIGIL, 'run', '-f', d.conf, '-p', d.pidFile, '--status-socket', join(d.dir, 'second.sock'), '--dump-dir', d.dumpDir], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(second.status, 1, second.stderr);
    assert.equal(second.stderr, `vigil: already running as pid ${d.proc.pid} (pid file ${d.pidFile})\n`);
    assert.equal(readFileSync(d.pidFile, 'utf8'), `${d.proc.pid}\n`);
    assert.ok(alive(d));
  } finally {
    other.kill('SIGKILL');
    await stopDaemons(lan, daemons);
  }
});

test('the recording file system fills up: VRRP goes on, the recording is suspended, then resumes', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'hardenfiles', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 140, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  // The priority moves (100 + 0 or 3, a track_file) every half second: records to write once the disk is full
  // (test/moving-track-file.ts); whether a fill was noticed otherwise depended on when it came.
  const tracked = movingTrackFile('vigil-hardenfiles-');
  const weight = tracked.path;
  const config = `vrrp_track_file tf {\n  file ${weight}\n}\n${CONFIG.replace('  advert_int 0.1\n', '  advert_int 0.1\n  track_file {\n    tf weight 1\n  }\n')}`;
  try {
    // A 256 KiB tmpfs at DIR/rec in a mount namespace of the daemon's own.
    const d = startDaemon(lan, v, 'vigil', config, {
      prepare: (dir) => mkdirSync(join(dir, 'rec')),
      args: (dir) => ['--record', join(dir, 'rec', 'flight.vrec'), '--http', '127.0.0.1:9650'],
      wrap: (argv, dir) => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=256k vigil-harden-files "$0" && exec "$@"', join(dir, 'rec'), ...argv],
    });
    daemons.push(d);
    await eventually(async () => (await addressesIn(lan, v)).includes('192.168.77.190'), 15_000, () => d.log());
    // The daemon's view of the file system, from outside its mount namespace.
    const rec = `/proc/${d.proc.pid}/root${join(d.dir, 'rec')}`;
    await eventually(async () => lstatSync(join(rec, 'flight.vrec')).size > 0, 10_000, () => d.log());
    fillFileSystem(join(rec, 'filler'));
    await eventually(async () => /recording .*flight\.vrec suspended \(ENOSPC\)/.test(d.log()), 30_000, () => d.log());
    // VRRP goes on: alive, MASTER, advertising, the address in place.
    const sent = status(v.ns, d).instances[0]!.counters.adverts_sent;
    await eventually(async () => status(v.ns, d).instances[0]!.counters.adverts_sent >= sent + 10, 20_000, () => d.log());
    assert.ok(alive(d));
    assert.equal(status(v.ns, d).instances[0]!.state, 'MASTER');
    assert.ok((await addressesIn(lan, v)).includes('192.168.77.190'));
    assert.match(metrics(v.ns), /^vigil_file_write_failures_total\{file="recording"\} 1$/m);

    rmSync(join(rec, 'filler'));
    await eventually(async () => /recording .*flight\.vrec resumed in a new file after losing \d+ records \(ENOSPC\)/.test(d.log()), 30_000, () => d.log());
    // The recording replays across the gap (read while the daemon, and so its mount, is there).
    const replay = readRecording(join(rec, 'flight.vrec'));
    assert.equal(replay.truncated, false);
    assert.deepEqual(replay.files.map((f) => f.slice(rec.length + 1)), ['flight.vrec.1', 'flight.vrec']);
    assert.ok(replay.events.some((e) => e.kind === 'fault' && /^recording gap: \d+ records lost \(ENOSPC\)$/.test(e.text)));
    process.kill(d.vrrpPid()!, 'SIGTERM');
    assert.equal(await d.exited(20_000), 0);
  } finally {
    await tracked.stop();
    await stopDaemons(lan, daemons);
  }
});

test('SIGUSR1, SIGUSR2 and the real-time JSON, STATS_CLEAR and SIGRTMAX while the daemon starts: never the Node debugger (root code for any local user), never an exit', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'hardenfiles', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 150, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  try {
    const d = startDaemon(lan, v, 'vigil', CONFIG);
    daemons.push(d);
    // From the moment its pid file is there (it is running its own code by then) until its status socket answers:
    // without handlers, SIGUSR1 starts Node's inspector on 127.0.0.1:9229 and SIGUSR2 ends the process, as do the
    // real-time signals `vigil --signum` names (JSON, STATS_CLEAR) and SIGRTMAX (keepalived's thread dump).
    const { json, statsClear, threadDump } = realtimeSignals();
    await eventually(async () => existsSync(d.pidFile), 15_000, () => d.log(), 2);
    let sent = 0;
    await eventually(
      async () => {
        if (!alive(d)) return true;
        for (const signal of ['SIGUSR2', 'SIGUSR1', json, statsClear, threadDump]) {
          try {
            process.kill(d.proc.pid!, signal);
            sent++;
          } catch {
            return true;
          }
        }
        return spawnSync('ip', ['netns', 'exec', v.ns, VIGIL, 'status', '--socket', d.statusSocket], { encoding: 'utf8' }).status === 0;
      },
      15_000,
      () => d.log(),
      5,
    );
    assert.ok(alive(d), `exited (${d.proc.exitCode ?? d.proc.signalCode}) after ${sent} signals:\n${d.log()}`);
    assert.doesNotMatch(d.log(), /Debugger listening/);
    const listening = spawnSync('ip', ['netns', 'exec', v.ns, 'ss', '-Hltn', 'sport = :9229'], { encoding: 'utf8' });
    assert.equal(listening.stdout.trim(), '', 'nothing listens on the inspector port');
    await eventually(async () => (await addressesIn(lan, v)).includes('192.168.77.190'), 15_000, () => d.log());
  } finally {
    await stopDaemons(lan, daemons);
  }
});
