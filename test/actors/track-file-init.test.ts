/**
 * track_file `init_file [VALUE] [overwrite]` as keepalived 2.2.7 does it (track_file.c track_file_end_handler),
 * on the real host's files and in the daemon on simulated transports; and the first read of a tracked file
 * before the instances start (keepalived init_track_files, then initialise_tracking_priorities), so that no
 * instance starts from a priority or a state its file does not give it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusMessage } from '../../actors/bus.js';
import { initFileAction, initTrackFiles } from '../../actors/trackers/init-files.js';
import type { TrackFile } from '../../config/model.js';
import { loadNodeConfig } from '../../sim/node-config-reader.js';
import { SimTrackedObjects } from '../../sim/sim-tracked-objects.js';
import { realTrackFileHost } from '../../transport/real/track-file-host.js';
import { simulatedDaemon } from '../daemon/simulated-daemon.js';

test('init_file: create a missing file; overwrite a regular one at start only; refuse to overwrite what is not a file', () => {
  assert.equal(initFileAction(false, 'missing', false), 'write');
  assert.equal(initFileAction(false, 'missing', true), 'write');
  assert.equal(initFileAction(false, 'file', false), 'keep');
  assert.equal(initFileAction(false, 'other', false), 'keep');
  assert.equal(initFileAction(true, 'missing', true), 'write');
  assert.equal(initFileAction(true, 'file', false), 'write');
  assert.equal(initFileAction(true, 'file', true), 'keep');
  assert.equal(initFileAction(true, 'other', false), 'not-regular');
});

function trackFile(name: string, file: string, initFile?: TrackFile['initFile']): TrackFile {
  return { name, at: { file: 'k.conf', line: 1 }, file, weight: 1, weightReverse: false, initFile };
}

test('init_file on the real host: value and newline, mode 0644, written whole (no temporary left), reload keeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-net-initfile-'));
  try {
    const errors: string[] = [];
    const log = { info() {}, error: (m: string) => errors.push(m) };
    const created = join(dir, 'created');
    const kept = join(dir, 'kept');
    const overwritten = join(dir, 'overwritten');
    const notAFile = join(dir, 'a-directory');
    writeFileSync(kept, '7\n');
    writeFileSync(overwritten, '9\n');
    mkdirSync(notAFile);
    const files = [
      trackFile('created', created, { value: -5, overwrite: false }),
      trackFile('kept', kept, { value: 1, overwrite: false }),
      trackFile('overwritten', overwritten, { value: 2, overwrite: true }),
      trackFile('dir', notAFile, { value: 3, overwrite: true }),
      trackFile('plain', join(dir, 'plain')),
    ];
    initTrackFiles(files, realTrackFileHost, false, log);
    assert.equal(readFileSync(created, 'utf8'), '-5\n');
    assert.equal(statSync(created).mode & 0o777, 0o644);
    assert.equal(readFileSync(kept, 'utf8'), '7\n');
    assert.equal(readFileSync(overwritten, 'utf8'), '2\n');
    assert.deepEqual(errors, ['Cannot initialise track file dir - it is not a regular file']);
    assert.deepEqual(readdirSync(dir).sort(), ['a-directory', 'created', 'kept', 'overwritten']);
    // A reload writes a missing file again, but does not overwrite.
    writeFileSync(overwritten, '4\n');
    rmSync(created);
    initTrackFiles(files, realTrackFileHost, true, log);
    assert.equal(readFileSync(overwritten, 'utf8'), '4\n');
    assert.equal(readFileSync(created, 'utf8'), '-5\n');
    // A directory that does not exist: said, not thrown.
    initTrackFiles([trackFile('nodir', join(dir, 'no', 'such'), { value: 1, overwrite: false })], realTrackFileHost, false, log);
    assert.match(errors.at(-1) ?? '', /^Unable to initialise track file nodir: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function config(o: { init: string; weight: number; instances?: number }): string {
  const instances = Array.from({ length: o.instances ?? 1 }, (_, i) => `vrrp_instance VI_${i + 1} {
    state BACKUP
    interface eth0
    virtual_router_id ${51 + i}
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.77.${100 + i}/24
    }
    track_file {
        maint
    }
}`);
  return `track_file maint {
    file /run/vigil-kw-net/maint
    weight ${o.weight}
    ${o.init}
}
${instances.join('\n')}
`;
}

/** VigilDaemon on the simulator's transports; its files are the simulated host's. */
function simDaemon(text: string) {
  let tracked: SimTrackedObjects | undefined;
  const d = simulatedDaemon(text, {
    environment: ({ clock, file }) => {
      tracked = new SimTrackedObjects(clock, loadNodeConfig(text, file, 'lb1').config, () => {});
      return tracked.environment();
    },
    options: { vrrpOnly: true },
  });
  const messages: BusMessage[] = [];
  d.daemon.bus.messages$.subscribe((m) => messages.push(m));
  return { ...d, tracked: tracked!, messages };
}

test('init_file in the daemon: the file is written before the first read, and the instance starts from its value', async () => {
  const d = simDaemon(config({ init: 'init_file 3', weight: 10 }));
  await d.daemon.start();
  await d.advance(10);
  assert.equal(d.tracked.files.readNow('/run/vigil-kw-net/maint'), '3\n');
  // 100 + 3 × 10 from the first advertisement on: never 110 (the weight of a file assumed up) nor 100.
  assert.deepEqual(d.messages.filter((m) => m.kind === 'priority'), []);
  assert.equal(d.daemon.status().instances[0]?.effective_priority, 130);
  await d.advance(5000);
  const adverts = d.messages.filter((m) => m.kind === 'advert_sent');
  assert.ok(adverts.length > 0);
  assert.ok(adverts.every((m) => m.kind === 'advert_sent' && m.priority === 130));
  await d.close();
});

test('a tracked file that means FAULT at start: the instance goes straight to FAULT, never BACKUP first', async () => {
  // Weight 0: a non-zero value is FAULT. The file already holds 1: init_file without overwrite keeps it.
  const text = config({ init: 'init_file 0', weight: 0 });
  const d = simDaemon(text);
  d.tracked.files.write('/run/vigil-kw-net/maint', '1\n');
  await d.daemon.start();
  await d.advance(3000);
  const transitions = d.messages.filter((m) => m.kind === 'transition').map((m) => (m.kind === 'transition' ? `${m.from}->${m.to}` : ''));
  assert.deepEqual(transitions, ['INIT->FAULT']);
  await d.close();

  // With overwrite, the file is written 0 at start: the instance is a backup, then master.
  const o = simDaemon(config({ init: 'init_file 0 overwrite', weight: 0 }));
  o.tracked.files.write('/run/vigil-kw-net/maint', '1\n');
  await o.daemon.start();
  await o.advance(5000);
  assert.equal(o.tracked.files.readNow('/run/vigil-kw-net/maint'), '0\n');
  const states = o.messages.filter((m) => m.kind === 'transition').map((m) => (m.kind === 'transition' ? m.to : ''));
  assert.deepEqual(states, ['BACKUP', 'MASTER']);
  await o.close();
});

test('reload: overwrite is not redone, and an instance the reload adds starts from the value of a file already tracked', async () => {
  const d = simDaemon(config({ init: 'init_file 2 overwrite', weight: 5 }));
  await d.daemon.start();
  await d.advance(100);
  d.tracked.files.write('/run/vigil-kw-net/maint', '4\n');
  await d.advance(2000);
  assert.equal(d.daemon.status().instances[0]?.effective_priority, 120);
  d.write(config({ init: 'init_file 2 overwrite', weight: 5, instances: 2 }));
  const reloaded = d.daemon.reload();
  await d.advance(100);
  assert.equal((await reloaded).ok, true);
  assert.equal(d.tracked.files.readNow('/run/vigil-kw-net/maint'), '4\n');
  const added = d.daemon.status().instances.find((i) => i.name === 'VI_2');
  assert.equal(added?.effective_priority, 120);
  assert.deepEqual(
    d.messages.filter((m) => m.kind === 'priority' && m.instance === 'VI_2'),
    [],
  );
  await d.close();
});
