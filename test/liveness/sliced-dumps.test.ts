/**
 * Dumps written in slices (actors/daemon/dumps.ts, transport/real/private-files.ts replaceFileInSlices): the files
 * are what they were when written at once (the JSON byte for byte JSON.stringify(status, null, 2)), and the event
 * loop turns while a large one is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonStatus, InstanceStatus } from '../../actors/status.js';
import { DUMP_FILES, DumpWriter, formatDataDump, formatStatsDump, jsonPieces } from '../../actors/daemon/dumps.js';
import { replaceFileInSlices } from '../../transport/real/private-files.js';
import { instanceStatus, masterCounters } from '../status-fixtures.js';

function instance(i: number): InstanceStatus {
  return instanceStatus({
    name: `VI_${i}`,
    state: i % 2 === 0 ? 'MASTER' : 'BACKUP',
    vrid: i + 1,
    effective_priority: 100 - i,
    master_address: i % 2 === 0 ? null : '192.168.0.2',
    vips: i === 1 ? [] : [`10.0.0.${i}`, 'fe80::"quoted\nname"'],
    counters: masterCounters({ adverts_sent: i, drops: i === 0 ? {} : { ttl: i } }),
  });
}

function status(instances: number, virtualServers: number): DaemonStatus {
  return {
    pid: 4242,
    config_file: '/etc/keepalived/keepalived.conf',
    reloads: 1,
    instances: Array.from({ length: instances }, (_, i) => instance(i)),
    scripts: [{ name: 'chk', up: false }],
    virtual_servers: Array.from({ length: virtualServers }, (_, v) => ({
      key: `10.1.0.${v}:80/TCP`,
      quorum_up: v % 3 !== 0,
      real_servers: [{ key: `172.16.0.${v}:8080`, alive: true, weight: 1 }],
      pool: [],
    })),
    drops: { length: 3 },
    script_runs: undefined,
  };
}

test('the JSON dump in pieces is JSON.stringify(status, null, 2) byte for byte', () => {
  for (const s of [status(0, 0), status(1, 0), status(3, 5), { ...status(2, 2), drops: {}, scripts: [] }]) {
    const pieces = [...jsonPieces(s)];
    assert.equal(pieces.join(''), `${JSON.stringify(s, null, 2)}\n`);
    assert.ok(pieces.length >= s.instances.length + s.virtual_servers.length, 'an element per piece');
  }
});

test('a large file is written over many turns of the event loop, and is whole at the end', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-liveness-dump-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const pieces = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
  // A slice of 0 ms: the writer gives the loop a turn after every piece.
  await replaceFileInSlices(dir, 'big', pieces, 0);
  counting = false;
  assert.ok(turns >= pieces.length - 1, `the loop turned ${turns} times during ${pieces.length} pieces`);
  assert.equal(readFileSync(join(dir, 'big'), 'utf8'), pieces.join(''));
  assert.deepEqual(readdirSync(dir), ['big'], 'no temporary file left');
});

test('DumpWriter writes the same three files as before, from pieces', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-liveness-dump-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = status(40, 300);
  const dumps = new DumpWriter(join(dir, 'run'), { info: () => {}, warn: (m) => assert.fail(m) });
  dumps.prepare();
  assert.equal(await dumps.dataDump(s), 1);
  assert.equal(await dumps.jsonDump(s), 1);
  assert.equal(await dumps.statsDump(s), 1);
  assert.equal(readFileSync(join(dir, 'run', DUMP_FILES.json), 'utf8'), `${JSON.stringify(s, null, 2)}\n`);
  assert.equal(readFileSync(join(dir, 'run', DUMP_FILES.data), 'utf8'), formatDataDump(s));
  assert.equal(readFileSync(join(dir, 'run', DUMP_FILES.stats), 'utf8'), formatStatsDump(s));
  assert.match(formatDataDump(s), /^------< vigil VRRP topology >------\n VRRP instance VI_0\n/);
  assert.match(formatDataDump(s), /------< vigil tracked scripts >------\n chk: BAD\n$/);
  assert.match(formatStatsDump(s), /Dropped before reaching an instance:\n {2}length: 3\n$/);
  assert.equal(formatStatsDump({ ...s, instances: [], drops: {} }), '\n', 'an empty stats dump is one empty line, as before');
});
