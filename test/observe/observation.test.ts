/**
 * What `vigil run --http ADDR:PORT --record FILE` wires up (observe/observation.ts, cli/http-option.ts), on a
 * daemon with simulated transports: /status is the daemon's status, the recording replays to the transitions the
 * daemon published, and bad option values are refused with one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  await observation.close();
  const recording = readRecording(join(dir, 'lb2.vrec'));
  assert.equal(recording.header.source, 'daemon');
  assert.equal(recording.header.meta['node'], 'lb2');
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
