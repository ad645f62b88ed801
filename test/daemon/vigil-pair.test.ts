/**
 * Two vigil daemons on a LAN of namespaces: election, failover on SIGKILL, graceful handover on SIGTERM,
 * preemption back, and `vigil status`. VIPs are read with `ip addr` in each namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vrrpConfig, VIGIL, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.140';

test('two vigil daemons: election, SIGKILL failover, preempt back, SIGTERM handover, status', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'vp', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 131, v4PrefixLength: 26 });
  const [a, b] = [lan.host('a'), lan.host('b')];
  const daemons: Daemon[] = [];
  const who = () => holders(lan, [a, b], VIP);
  const describe = async () => `holders ${JSON.stringify(await who())}\n--- a:\n${daemons[0]?.log()}\n--- b:\n${daemons[1]?.log()}`;
  try {
    const da = startDaemon(lan, a, 'vigil', vrrpConfig({ name: 'a', vrid: 40, priority: 150, version: 3, vip: `${VIP}/26` }));
    const db = startDaemon(lan, b, 'vigil', vrrpConfig({ name: 'b', vrid: 40, priority: 100, version: 3, vip: `${VIP}/26` }));
    daemons.push(da, db);
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);

    // vigil status over the socket, inside a's namespace.
    const status = spawnSync('ip', ['netns', 'exec', a.ns, VIGIL, 'status', '--json', '--socket', da.statusSocket], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { instances: { name: string; state: string; vrid: number; priority: number; vips: string[]; counters: { adverts_sent: number } }[] };
    assert.equal(parsed.instances[0]!.state, 'MASTER');
    assert.equal(parsed.instances[0]!.vrid, 40);
    assert.deepEqual(parsed.instances[0]!.vips, [`${VIP}/26`]);
    assert.ok(parsed.instances[0]!.counters.adverts_sent > 0);
    const text = spawnSync('ip', ['netns', 'exec', b.ns, VIGIL, 'status', '--socket', db.statusSocket], { encoding: 'utf8' });
    // The table: the BACKUP group, VI_1's row with its VRID, interface and the master's address.
    assert.match(text.stdout, new RegExp(`^BACKUP \\(1\\)\n.*\n  VI_1 +40 +eth0 +v\\d/4 +\\d+ +${a.ipv4.replace(/\./g, '\\.')} `, 'm'));

    // Crash of the master: b takes over within Master_Down_Interval (3 s + skew) plus polling slack.
    da.kill('SIGKILL');
    await da.exited();
    await eventually(async () => (await who()).includes('b'), 6_000, describe);
    // The VIP stays on the dead a (a crashed daemon cannot remove it): a restarted vigil cleans it up and preempts.
    da.restart();
    await eventually(async () => JSON.stringify(await who()) === '["a"]', 10_000, describe);

    // Graceful stop: priority 0, b takes over after Skew_Time, a's VIP is gone and it exits 0.
    da.kill('SIGTERM');
    assert.equal(await da.exited(), 0);
    await eventually(async () => JSON.stringify(await who()) === '["b"]', 3_000, describe);
    assert.match(da.log(), /Entering STOP STATE|stopping/);
  } finally {
    await stopDaemons(lan, daemons);
  }
});
