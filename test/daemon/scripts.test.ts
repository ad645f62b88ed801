/**
 * Real processes under a real daemon: a vrrp_script with a negative weight hands mastership over when it fails
 * and takes it back when it recovers; notify_master and notify run (without a shell) with keepalived's arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

test('vrrp_script weight moves mastership; notify scripts run with INSTANCE name state priority', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const work = mkdtempSync(join(tmpdir(), 'vigil-scripts-'));
  const down = join(work, 'down');
  const notes = join(work, 'notes');
  const masters = join(work, 'masters');
  const lan = await createLan({ name: 'sc', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 175, v4PrefixLength: 26 });
  const [a, b] = [lan.host('a'), lan.host('b')];
  const VIP = '192.168.77.189';
  const daemons: Daemon[] = [];
  const who = () => holders(lan, [a, b], VIP);
  const describe = async () => `holders ${JSON.stringify(await who())}\n${daemons.map((d) => d.log().slice(-2000)).join('\n---\n')}`;
  try {
    const script = `vrrp_script chk {
  script "/bin/sh ${join(work, 'check.sh')}"
  interval 1
  weight -60
  fall 1
  rise 1
}
`;
    const notify = `track_script {
    chk
  }
  notify_master "/bin/sh -c 'echo master >> ${masters}'"
  notify "/bin/sh ${join(work, 'notify.sh')}"`;
    writeFileSync(join(work, 'notify.sh'), `echo "$@" >> ${notes}\n`);
    writeFileSync(join(work, 'check.sh'), `test -e ${down} && exit 1\nexit 0\n`);
    const da = startDaemon(lan, a, 'vigil', vrrpConfig({ vrid: 20, priority: 150, version: 3, vip: `${VIP}/26`, extra: notify }) + script);
    const db = startDaemon(lan, b, 'vigil', vrrpConfig({ vrid: 20, priority: 100, version: 3, vip: `${VIP}/26` }));
    daemons.push(da, db);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);
    await eventually(async () => existsSync(masters) && readFileSync(masters, 'utf8') === 'master\n', 3000, describe);

    // The check fails: a's priority drops to 90 < 100 and b preempts.
    writeFileSync(down, '');
    await eventually(async () => JSON.stringify(await who()) === '["b"]', 6000, describe);
    assert.match(da.log(), /VRRP_Script\(chk\) failed/);
    // It recovers: 150 again, a preempts back.
    rmSync(down);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 8000, describe);
    const lines = readFileSync(notes, 'utf8').trim().split('\n');
    assert.deepEqual(lines.slice(0, 4), ['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'INSTANCE VI_1 BACKUP 90', 'INSTANCE VI_1 MASTER 150']);
    assert.equal(readFileSync(masters, 'utf8'), 'master\nmaster\n');
  } finally {
    await stopDaemons(lan, daemons);
    rmSync(work, { recursive: true, force: true });
  }
});
