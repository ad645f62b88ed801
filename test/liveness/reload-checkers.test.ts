/**
 * A reload that rebuilds 2,000 checkers does not hold back the master's advertisements (issue 13, "Liveness"): the
 * checker side (virtual servers, real servers, their checkers) is built on the VRRP thread, and built at once it
 * held that thread for 1.5–9 s on this machine (the advertisements stopped for 3.8 s). A vigil master with
 * advert_int 0.5 s and 500 virtual servers × 4 real servers reloads a file whose checker part changed, while a vigil
 * backup listens and tcpdump stamps the master's advertisements. The longest gap between two of them during the
 * reload must stay below three advert intervals (the backup's Master_Down_Interval less its skew: a generous bound,
 * since on two CPUs shared with a whole test suite the master's turns wait for a CPU too), the backup must never
 * take over, and the master must run the new checker side whole. bench/liveness-stall.ts measures the turns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { generateConfig } from '../../bench/config-generate.js';
import { captureAdverts, type AdvertCapture } from '../../bench/tools/advert-capture.js';
import { addressesIn, eventually, startDaemon, VIGIL, vrrpConfig, type Daemon, stopDaemons } from '../daemon/daemons.js';

interface Status {
  reloads: number;
  instances: { name: string; state: string; counters: { adverts_received: number; become_master: number } }[];
  virtual_servers: unknown[];
}

/**
 * The daemon's status; undefined while its status socket is not up yet. Asked without blocking this process: a
 * spawnSync here held the test's loop for the second a CLI takes to start on a loaded machine, the daemons' log
 * pipes filled meanwhile, and the master's synchronous log writes then waited for this process to read them.
 */
async function tryStatus(ns: string, d: Daemon): Promise<Status | undefined> {
  try {
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', ns, VIGIL, 'status', '--json', '--socket', d.statusSocket], { encoding: 'utf8' });
    return JSON.parse(stdout) as Status;
  } catch {
    return undefined;
  }
}

const VIP = '192.168.77.200';
const ADVERT_MS = 500;
const instance = (priority: number): string => vrrpConfig({ vrid: 94, priority, version: 3, advert: String(ADVERT_MS / 1000), vip: `${VIP}/24` });
/** 2,000 TCP_CHECKs (their real servers are unreachable from the namespace: each probe fails at once). */
const checkers = (virtualServers: number): string => generateConfig({ virtualServers, realServers: 4 }).replace(/^global_defs \{[^}]*\}\n/, '');

test('a master rebuilding 2,000 checkers on reload keeps its advert rhythm: no gap near Master_Down_Interval', { timeout: 300_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'hrdck', hosts: ['m', 'b'], v4Prefix: '192.168.77.X', v4Start: 161 });
  const daemons: Daemon[] = [];
  let capture: AdvertCapture | undefined;
  try {
    const master = startDaemon(lan, lan.host('m'), 'vigil', instance(200) + checkers(500));
    daemons.push(master);
    // At start the checker side is built too: the master is up once it says so.
    await eventually(async () => /started 1 VRRP instance\(s\) and 500 virtual server\(s\)/.test(master.log()), 120_000, () => master.log());
    await eventually(async () => (await addressesIn(lan, lan.host('m'))).includes(VIP), 20_000, () => master.log());
    const backup = startDaemon(lan, lan.host('b'), 'vigil', instance(100));
    daemons.push(backup);
    const heard = async (): Promise<number> => (await tryStatus(lan.host('b').ns, backup))?.instances[0]?.counters.adverts_received ?? 0;
    await eventually(async () => (await heard()) > 3, 20_000, () => backup.log());

    const source = lan.host('m').ipv4;
    capture = captureAdverts(lan, lan.host('b'), [source]);
    await capture.ready;
    // The checker part changes (499 virtual servers): the whole checker side is stopped and built again.
    writeFileSync(master.conf, instance(200) + checkers(499));
    const sent = Date.now();
    master.kill('SIGHUP');
    await eventually(async () => /reloaded: kept 1, started 0, stopped 0/.test(master.log()), 200_000, () => master.log());
    const reloaded = Date.now();
    // Advertisements after the reload too: the gap that ends the reload counts.
    const count = capture.adverts.length;
    await eventually(async () => capture!.adverts.length > count + 3, 20_000, () => backup.log());
    capture.stop();

    const times = capture.adverts.filter((a) => a.vrid === 94).map((a) => a.wall);
    const during = times.filter((w) => w >= sent && w <= reloaded + 2 * ADVERT_MS);
    let longest = 0;
    for (let i = 1; i < times.length; i++) {
      const at = times[i]!;
      if (at >= sent && times[i - 1]! <= reloaded + ADVERT_MS) longest = Math.max(longest, at - times[i - 1]!);
    }
    t.diagnostic(`reload took ${reloaded - sent} ms; ${during.length} advertisements during it, the longest gap ${longest.toFixed(0)} ms`);
    assert.ok(during.length > 0, 'advertisements during the reload');
    assert.ok(longest < 3 * ADVERT_MS, `the longest gap between advertisements during the reload was ${longest.toFixed(0)} ms (bound ${3 * ADVERT_MS} ms)`);

    const b = (await tryStatus(lan.host('b').ns, backup))?.instances[0];
    assert.equal(b?.state, 'BACKUP', backup.log());
    assert.equal(b?.counters.become_master, 0, `the backup never took over:\n${backup.log().slice(-3000)}`);
    const m = await tryStatus(lan.host('m').ns, master);
    assert.equal(m?.reloads, 1);
    assert.equal(m?.instances[0]?.state, 'MASTER');
    assert.equal(m?.virtual_servers.length, 499, 'the new checker side runs whole');
    assert.doesNotMatch(master.log(), /reload rejected|reload failed/);
  } finally {
    capture?.stop();
    await stopDaemons(lan, daemons);
  }
});
