/**
 * SIGUSR1/SIGUSR2 dumps (actors/daemon/dumps.ts) in a directory someone got to first: a symlink at vigil.data,
 * a directory at vigil.stats, a FIFO at vigil.json. Nothing is followed or blocked on, what can be written is,
 * what cannot is logged and counted, and nothing throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonStatus } from '../../actors/status.js';
import { DUMP_FILES, DumpWriter } from '../../actors/daemon/dumps.js';
import { instanceStatus, masterCounters } from '../status-fixtures.js';

const STATUS: DaemonStatus = {
  pid: 4242,
  config_file: '/etc/keepalived/keepalived.conf',
  reloads: 0,
  instances: [instanceStatus({ vips: ['192.168.77.100'], counters: masterCounters({ adverts_sent: 7 }) })],
  scripts: [],
  virtual_servers: [],
  drops: {},
};

function capture(): { log: { info(m: string): void; warn(m: string): void }; infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { log: { info: (m) => infos.push(m), warn: (m) => warnings.push(m) }, infos, warnings };
}

test('hostile objects at every dump name: the symlink and the FIFO are replaced, the directory is counted', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'run');
  mkdirSync(dir, { mode: 0o700 });
  const victim = join(base, 'passwd');
  writeFileSync(victim, 'root:x:0:0::/root:/bin/sh\n');
  symlinkSync(victim, join(dir, DUMP_FILES.data));
  mkdirSync(join(dir, DUMP_FILES.stats));
  assert.equal(spawnSync('mkfifo', [join(dir, DUMP_FILES.json)]).status, 0);

  const { log, infos, warnings } = capture();
  const dumps = new DumpWriter(dir, log);
  assert.equal(await dumps.dataDump(STATUS), 1);
  assert.equal(await dumps.jsonDump(STATUS), 1);
  assert.equal(await dumps.statsDump(STATUS), 0);

  assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0::/root:/bin/sh\n', 'the symlink was not followed');
  for (const name of [DUMP_FILES.data, DUMP_FILES.json]) {
    const st = lstatSync(join(dir, name));
    assert.ok(st.isFile(), `${name} is a regular file now`);
    assert.equal(st.mode & 0o777, 0o600);
  }
  assert.match(readFileSync(join(dir, DUMP_FILES.data), 'utf8'), /VRRP instance VI_1\n {3}state {18}MASTER/);
  assert.equal((JSON.parse(readFileSync(join(dir, DUMP_FILES.json), 'utf8')) as DaemonStatus).instances[0]!.name, 'VI_1');
  assert.ok(lstatSync(join(dir, DUMP_FILES.stats)).isDirectory(), 'the directory is left alone');
  assert.equal(dumps.failures, 1);
  assert.deepEqual(warnings, [`stats dump: ${join(dir, DUMP_FILES.stats)} not written (EISDIR)`]);
  assert.deepEqual(infos, [`data dump written to ${join(dir, DUMP_FILES.data)}`, `JSON dump written to ${join(dir, DUMP_FILES.json)}`]);

  // Once the directory is gone, the next SIGUSR2 writes the stats.
  rmSync(join(dir, DUMP_FILES.stats), { recursive: true });
  assert.equal(await dumps.statsDump(STATUS), 1);
  assert.match(readFileSync(join(dir, DUMP_FILES.stats), 'utf8'), /advertisements sent: {5}7/);
  assert.equal(dumps.failures, 1);
});

test('the dump directory: made 0700 when missing; one others may write, or a symlink, gets no dump', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const { log, warnings } = capture();
  const made = new DumpWriter(join(base, 'run', 'vigil'), log);
  made.prepare();
  assert.equal(lstatSync(join(base, 'run', 'vigil')).mode & 0o777, 0o700);
  assert.equal(await made.statsDump(STATUS), 1);

  const open = join(base, 'tmp');
  mkdirSync(open);
  chmodSync(open, 0o1777);
  const shared = new DumpWriter(open, log);
  assert.equal(await shared.dataDump(STATUS), 0);
  assert.equal(await shared.jsonDump(STATUS), 0);
  assert.equal(shared.failures, 2);
  assert.match(warnings.at(-2)!, /^data dump not written: .*tmp is writable by others \(mode 1777\): refused$/);
  assert.match(warnings.at(-1)!, /^JSON dump not written: .*tmp is writable by others \(mode 1777\): refused$/);

  symlinkSync(open, join(base, 'link'));
  const linked = new DumpWriter(join(base, 'link'), log);
  linked.prepare();
  assert.match(warnings.at(-1)!, /^dumps will not be written: .*link is a symbolic link: refused$/);
  assert.equal(await linked.statsDump(STATUS), 0);
  assert.equal(linked.failures, 1);
});
