/**
 * disable_local_igmp and promote_secondaries against the kernel, vigil beside keepalived 2.2.7 as the reference:
 * in a namespace of its own each daemon sets net.ipv4.igmp_link_local_mcast_reports to 0 and
 * net.ipv4.conf.eth0.promote_secondaries to 1 while it runs, and puts both back when it stops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

const CONFIG = `global_defs {
  router_id kwnet
  disable_local_igmp
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority 100
  advert_int 1
  promote_secondaries
  virtual_ipaddress {
    192.168.77.160/24
  }
}
`;

async function settings(lan: Lan, host: LanHost): Promise<{ igmpReports: string; promoteSecondaries: string }> {
  const read = async (key: string): Promise<string> => (await lan.exec(host.ns, ['cat', `/proc/sys/${key}`])).stdout.trim();
  return { igmpReports: await read('net/ipv4/igmp_link_local_mcast_reports'), promoteSecondaries: await read('net/ipv4/conf/eth0/promote_secondaries') };
}

for (const kind of ['keepalived', 'vigil'] as const) {
  test(`${kind}: disable_local_igmp and promote_secondaries set while running, put back at stop`, { timeout: 120_000 }, async (t) => {
    if (!requireRealNetwork(t, () => (kind === 'keepalived' ? commandAvailable('keepalived') : { ok: true }))) return;
    const lan = await createLan({ name: kind === 'vigil' ? 'kwsysv' : 'kwsysk', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 161, v4PrefixLength: 24 });
    const a = lan.host('a');
    let daemon: Daemon | undefined;
    try {
      assert.deepEqual(await settings(lan, a), { igmpReports: '1', promoteSecondaries: '0' });
      const d = startDaemon(lan, a, kind, CONFIG);
      daemon = d;
      const describe = async (): Promise<string> => `${JSON.stringify(await settings(lan, a))}\n${d.log()}`;
      await eventually(async () => JSON.stringify(await settings(lan, a)) === JSON.stringify({ igmpReports: '0', promoteSecondaries: '1' }), 10_000, describe);
      // Started whole (vigil's signal handlers come with it): the instance is a backup.
      await eventually(async () => /Entering BACKUP STATE/.test(d.log()), 10_000, describe);
      d.kill('SIGTERM');
      if (kind === 'keepalived' && d.proc.pid) process.kill(d.proc.pid, 'SIGTERM');
      await d.exited(30_000);
      const after = await settings(lan, a);
      assert.deepEqual(after, { igmpReports: "1", promoteSecondaries: "0" }, `${JSON.stringify(after)} exit ${d.proc.exitCode} ${d.proc.signalCode}\n${d.log()}`);
    } finally {
      await stopDaemons(lan, [daemon]);
    }
  });
}

// A SIGTERM while the daemon starts (here: as soon as its sysctls are set, before its instance runs) is a stop like
// any other once it has started: exit 0, sysctls put back. Its default action would have killed it half set up, and
// a listener swapped at the end of the start once dropped a SIGTERM caught but not yet dispatched.
test('vigil: a SIGTERM while it starts stops it whole: exit 0, sysctls put back', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'kwsyse', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 171, v4PrefixLength: 24 });
  const a = lan.host('a');
  let daemon: Daemon | undefined;
  try {
    const d = startDaemon(lan, a, 'vigil', CONFIG);
    daemon = d;
    const describe = async (): Promise<string> => `${JSON.stringify(await settings(lan, a))} exit ${d.proc.exitCode} ${d.proc.signalCode}\n${d.log()}`;
    await eventually(async () => (await settings(lan, a)).igmpReports === '0', 10_000, describe);
    d.kill('SIGTERM');
    await d.exited(30_000).catch(async (err: unknown) => assert.fail(`${err instanceof Error ? err.message : String(err)}\n${await describe()}`));
    assert.equal(d.proc.signalCode, null, await describe());
    assert.equal(d.proc.exitCode, 0, await describe());
    assert.deepEqual(await settings(lan, a), { igmpReports: '1', promoteSecondaries: '0' }, await describe());
  } finally {
    await stopDaemons(lan, [daemon]);
  }
});
