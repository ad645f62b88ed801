/**
 * A reload of a large configuration does not hold back the master's advertisements (issue 13, "Liveness"): a
 * vigil master with advert_int 0.2 s is made to reload a file of 150,000 lines (5,000 virtual servers, read on
 * its config worker) while a vigil backup listens. Had the VRRP thread parsed the file itself (seconds on this
 * machine), the backup would have missed three advertisements and taken over; it must stay BACKUP throughout,
 * having heard advertisements all along, and the master must have taken the new file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createLan, type Lan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { generateConfig } from '../../bench/config-generate.js';
import { addressesIn, eventually, startDaemon, vigilStatus, vrrpConfig, type Daemon, stopDaemons } from '../daemon/daemons.js';

interface Status {
  reloads: number;
  instances: { name: string; state: string; counters: { adverts_received: number; become_master: number } }[];
}

/**
 * The daemon's status; undefined while its status socket is not up yet. Asked without blocking this process, which
 * must go on reading the daemons' logs meanwhile (see reload-checkers.test.ts).
 */
async function tryStatus(lan: Lan, d: Daemon): Promise<Status | undefined> {
  try {
    return (await vigilStatus(lan, d)) as unknown as Status;
  } catch {
    return undefined;
  }
}

async function status(lan: Lan, d: Daemon): Promise<Status> {
  const s = await tryStatus(lan, d);
  assert.ok(s, `vigil status of ${d.host.name}: ${d.log()}`);
  return s;
}

const VIP = '192.168.77.140';
const instance = (priority: number): string => vrrpConfig({ vrid: 93, priority, version: 3, advert: '0.2', vip: `${VIP}/26` });

test('a master reloading 150,000 lines keeps advertising: its backup never takes over', { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'lvr', hosts: ['m', 'b'], v4Prefix: '192.168.77.X', v4Start: 129, v4PrefixLength: 26 });
  const daemons: Daemon[] = [];
  try {
    // -P: the VRRP side only; the virtual servers are read (and compared) but no checker runs.
    const master = startDaemon(lan, lan.host('m'), 'vigil', instance(200), { args: () => ['-P'] });
    daemons.push(master);
    await eventually(async () => (await addressesIn(lan, lan.host('m'))).includes(VIP), 20_000, () => master.log());
    const backup = startDaemon(lan, lan.host('b'), 'vigil', instance(100));
    daemons.push(backup);
    const heard = async (): Promise<number> => (await tryStatus(lan, backup))?.instances[0]?.counters.adverts_received ?? 0;
    await eventually(async () => (await heard()) > 3, 20_000, () => backup.log());

    writeFileSync(master.conf, instance(200) + generateConfig({ virtualServers: 5000, realServers: 4 }).replace(/^global_defs \{[^}]*\}\n/, ''));
    const before = await heard();
    master.kill('SIGHUP');
    // The reload is over when the master says so (parsing 150,000 lines on a shared machine takes seconds).
    await eventually(async () => /reloaded: kept 1, started 0, stopped 0/.test(master.log()), 200_000, () => master.log());
    const during = (await heard()) - before;
    // A few more advertisements after the reload: the master is still at it.
    await eventually(async () => (await heard()) > before + during + 3, 20_000, () => backup.log());

    const b = (await status(lan, backup)).instances[0]!;
    assert.equal(b.state, 'BACKUP', backup.log());
    assert.equal(b.counters.become_master, 0, 'the backup never became master: no advertisement gap it could notice');
    assert.ok(!(await addressesIn(lan, lan.host('b'))).includes(VIP), 'the VIP never moved to the backup');
    assert.ok(during > 0, 'the backup heard advertisements while the master reloaded');
    const m = await status(lan, master);
    assert.equal(m.reloads, 1);
    assert.equal(m.instances[0]?.state, 'MASTER');
    assert.doesNotMatch(master.log(), /reload rejected/);
  } finally {
    await stopDaemons(lan, daemons);
  }
});
