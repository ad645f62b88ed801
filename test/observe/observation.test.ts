/**
 * What `vigil run --http ADDR:PORT --record FILE` wires up (observe/observation.ts, cli/http-option.ts), on a
 * daemon with simulated transports: /status is the daemon's status, the recording replays to the transitions the
 * daemon published, and bad option values are refused with one line; a token file guards the endpoint, and
 * what the daemon could not write or turned away shows in /metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import type { BusMessage } from '../../actors/bus.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { observationFromOptions } from '../../cli/http-option.js';
import { readRecording } from '../../observe/recording-reader.js';
import { foldEvents } from '../../observe/timeline-model.js';
import { observedPair } from './observed-world.js';

test('--http and --record on a daemon: /status, /metrics, the page, and a recording of what happened', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-observation-'));
  const clock = new VirtualClock();
  const observation = (await observationFromOptions({ http: '127.0.0.1:0', record: join(dir, 'lb2.vrec'), recordSize: '1', recordKeep: '2' }, 'lb2', clock, {
    started_at: 'test',
    // What `vigil run` adds: the wall-clock time at which its clock read 0.
    clock_epoch_ms: 1_767_261_600_000,
  }))!;
  const world = await observedPair({ clock, inspectors: { lb2: observation.inspect } });
  const lb2 = world.daemons.get('lb2')!;
  const published: BusMessage[] = [];
  lb2.bus.messages$.subscribe((m) => published.push(m));
  observation.attach(lb2);
  const url = await observation.listen();
  t.after(async () => {
    await observation.close();
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
  await world.start();
  await world.advance(5000);
  world.hosts.get('lb1')!.setLink('eth0', false);
  await world.advance(6000);

  const status = await (await fetch(`${url}status`)).json();
  assert.deepEqual(status, JSON.parse(JSON.stringify(lb2.status())));
  assert.match(await (await fetch(`${url}metrics`)).text(), /^keepalived_vrrp_state\{iname="VI_1",intf="eth0",vrid="51",ip_address="192\.168\.77\.100\/24"\} 2$/m);
  const page = await (await fetch(url!)).text();
  assert.match(page, /^<!doctype html>/);
  assert.ok(page.includes('lb2/VI_1'));
  // The live page's axis shows times of day: it knows the clock's epoch.
  assert.match(page, /"wallAtZeroMs":1767261600000[,}]/);

  await observation.close();
  const recording = readRecording(join(dir, 'lb2.vrec'));
  assert.equal(recording.header.source, 'daemon');
  assert.equal(recording.header.meta['node'], 'lb2');
  assert.equal(recording.header.meta['clock_epoch_ms'], 1_767_261_600_000);
  const timeline = foldEvents(recording.events);
  const transitions = published.filter((m) => m.kind === 'transition').map((m) => (m.kind === 'transition' ? `${m.from}>${m.to}` : ''));
  assert.deepEqual(timeline.transitions.map((x) => `${x.from}>${x.to}`), transitions);
  assert.deepEqual(transitions, ['INIT>BACKUP', 'BACKUP>MASTER']);
  assert.deepEqual(timeline.actors.map((a) => a.actor).sort(), ['lb2/VI_1', 'lb2/script:chk_up']);
});

test('observability options: off unless asked; bad values refused with one line', async () => {
  const clock = new VirtualClock();
  assert.equal(await observationFromOptions({}, 'n', clock, {}), undefined);
  await assert.rejects(() => observationFromOptions({ http: 'nonsense' }, 'n', clock, {}), /^Error: --http: not ADDR:PORT: nonsense$/);
  await assert.rejects(() => observationFromOptions({ record: '/tmp/x', recordSize: '0' }, 'n', clock, {}), /--record-size/);
  await assert.rejects(() => observationFromOptions({ record: '/tmp/x', recordKeep: '1.5' }, 'n', clock, {}), /--record-keep/);
});

test('--http-token-file: a secret file of its own (mode, length, kind); the token then guards every path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-harden-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new VirtualClock();
  const file = join(dir, 'token');
  const token = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  writeFileSync(file, `${token}\n`, { mode: 0o644 });
  chmodSync(file, 0o644);
  const http = (f: string) => observationFromOptions({ http: '127.0.0.1:0', httpTokenFile: f }, 'n', clock, {});
  await assert.rejects(() => http(file), new RegExp(`^Error: --http-token-file ${file}: mode 0644 lets others read or change the token \\(chmod 600 or 640\\)$`));
  chmodSync(file, 0o640);
  writeFileSync(file, 'short\n');
  await assert.rejects(() => http(file), /the first line must be a token of at least 16 characters without blanks/);
  await assert.rejects(() => http(join(dir, 'missing')), /--http-token-file .*missing: ENOENT/);
  await assert.rejects(() => http(dir), /--http-token-file .*: not a regular file/);
  const link = join(dir, 'link');
  symlinkSync(file, link);
  await assert.rejects(() => http(link), /--http-token-file .*link: ELOOP/);

  writeFileSync(file, `${token}\nignored second line\n`);
  const observation = (await observationFromOptions({ http: '127.0.0.1:0', httpTokenFile: file, httpAllowHost: 'lb1.example.net, lb1' }, 'n', clock, {}, {
    fileWriteFailures: () => ({ dump: 2 }),
  }))!;
  const world = await observedPair({ clock, inspectors: { lb2: observation.inspect } });
  observation.attach(world.daemons.get('lb2')!);
  const url = (await observation.listen())!;
  t.after(async () => {
    await observation.close();
    await world.close();
  });
  // node:http, not fetch: fetch does not let a caller set the Host header.
  const get = (headers: Record<string, string>): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(`${url}metrics`, { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal((await get({})).status, 401);
  assert.equal((await get({ host: 'evil.example' })).status, 403);
  const metrics = await get({ authorization: `Bearer ${token}`, host: 'lb1.example.net:9650' });
  assert.equal(metrics.status, 200);
  const text = metrics.body;
  assert.match(text, /^vigil_file_write_failures_total\{file="dump"\} 2$/m);
  assert.match(text, /^vigil_http_rejected_total\{reason="unauthorized"\} 1$/m);
  assert.match(text, /^vigil_http_rejected_total\{reason="bad_host"\} 1$/m);
});
