/**
 * A vigil daemon (in a network namespace) sent each of keepalived's signal functions by the number
 * `vigil --signum=NAME` prints, as `kill -s $(keepalived --signum=NAME) PID` is used: DATA, STATS and JSON write
 * their dumps, STATS_CLEAR writes the stats dump and then the statistics read 0, SIGRTMAX (keepalived's thread
 * dump) is logged, RELOAD reloads, STOP stops (priority 0, the VIP released, exit 0); it runs on after each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { realtimeSignals } from '../../transport/real/keepalived-signals.js';
import { addressesIn, eventually, startDaemon, VIGIL, vigilStatus, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.200';
const CONFIG = `
vrrp_instance VI_SIGNUM {
  interface eth0
  virtual_router_id 77
  priority 100
  version 3
  advert_int 1
  virtual_ipaddress {
    ${VIP}/26
  }
}
`;

function signum(name: string): number {
  const r = spawnSync(VIGIL, [`--signum=${name}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

interface Counters {
  adverts_sent: number;
  become_master: number;
}

test("keepalived's signal functions by their --signum numbers: dumps, stats cleared, reload, stop", { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'signum', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 210, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  try {
    const d = startDaemon(lan, v, 'vigil', CONFIG);
    daemons.push(d);
    const alive = (): boolean => d.proc.exitCode === null && d.proc.signalCode === null;
    const dump = (name: string): string => join(d.dumpDir, name);
    const counters = async (): Promise<Counters> => (await vigilStatus(lan, d)).instances[0]!.counters as unknown as Counters;
    await eventually(async () => (await addressesIn(lan, v)).includes(VIP), 15_000, () => d.log());
    await eventually(async () => (await counters()).adverts_sent >= 3, 15_000, () => d.log());
    const pid = d.proc.pid!;

    // DATA, STATS, JSON: one file each.
    for (const name of ['DATA', 'STATS', 'JSON']) process.kill(pid, signum(name));
    await eventually(async () => ['vigil.data', 'vigil.stats', 'vigil.json'].every((f) => existsSync(dump(f))), 10_000, () => d.log());
    assert.match(readFileSync(dump('vigil.data'), 'utf8'), /VRRP instance VI_SIGNUM\n {3}state {18}MASTER/);
    assert.match(readFileSync(dump('vigil.stats'), 'utf8'), /VRRP instance: VI_SIGNUM\n[^]*became master: {11}1\n/);
    const json = JSON.parse(readFileSync(dump('vigil.json'), 'utf8')) as { instances: { name: string; state: string }[] };
    assert.deepEqual(json.instances.map((i) => [i.name, i.state]), [['VI_SIGNUM', 'MASTER']]);
    assert.ok(alive(), d.log());

    // STATS_CLEAR: the stats dump as it was, then the statistics from 0.
    const before = await counters();
    assert.equal(before.become_master, 1);
    rmSync(dump('vigil.stats'));
    process.kill(pid, signum('STATS_CLEAR'));
    await eventually(async () => existsSync(dump('vigil.stats')), 10_000, () => d.log());
    const stats = readFileSync(dump('vigil.stats'), 'utf8');
    assert.match(stats, /became master: {11}1\n/);
    const sentInDump = Number(/advertisements sent: +(\d+)/.exec(stats)![1]);
    assert.ok(sentInDump >= before.adverts_sent, stats);
    const after = await counters();
    assert.equal(after.become_master, 0);
    assert.ok(after.adverts_sent < sentInDump, `${after.adverts_sent} advertisements counted after the clear, ${sentInDump} in the dump`);
    assert.match(d.log(), /STATS_CLEAR/);
    assert.ok(alive(), d.log());

    // SIGRTMAX, keepalived's thread dump: one line, nothing else.
    const { threadDump } = realtimeSignals();
    process.kill(pid, threadDump);
    await eventually(async () => /thread dump/.test(d.log()), 10_000, () => d.log());
    assert.ok(alive(), d.log());

    // RELOAD, then STOP.
    process.kill(pid, signum('RELOAD'));
    await eventually(async () => (await vigilStatus(lan, d)).reloads === 1, 15_000, () => d.log());
    assert.ok((await addressesIn(lan, v)).includes(VIP));
    process.kill(pid, signum('STOP'));
    assert.equal(await d.exited(30_000), 0, d.log());
    assert.ok(!(await addressesIn(lan, v)).includes(VIP));
  } finally {
    await stopDaemons(lan, daemons);
  }
});
