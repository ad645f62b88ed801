/**
 * Reloads that fail after parsing, and a stop during a reload (issue 13). A reload whose new configuration cannot
 * be set up (here a VMAC the kernel refuses) is rejected whole: the running instances keep their state, settings
 * and VIPs, nothing it made stays behind, and the next SIGHUP reloads. Before, such a reload had already stopped
 * the changed instances when it threw, and left its latch set: every later SIGHUP was ignored. A SIGTERM during a
 * reload stops the daemon cleanly: priority 0, the VIPs released, and nothing of the abandoned reload left (a VMAC).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, vigilStatus, type Daemon, stopDaemons, monitorAddresses } from './daemons.js';

function instance(name: string, o: { vrid: number; priority: number; vip: string; iface?: string; extra?: string }): string {
  return `vrrp_instance ${name} {
  interface ${o.iface ?? 'eth0'}
  virtual_router_id ${o.vrid}
  priority ${o.priority}
  advert_int 1
  ${o.extra ?? ''}
  virtual_ipaddress {
    ${o.vip}
  }
}
`;
}

async function everyAddress(lan: Lan, host: LanHost): Promise<string[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show']);
  return (JSON.parse(stdout) as { addr_info: { local: string }[] }[]).flatMap((l) => l.addr_info.map((a) => a.local));
}

async function linkNames(lan: Lan, host: LanHost): Promise<string[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

test('a reload that fails after parsing (a VMAC the kernel refuses) keeps the running configuration whole; the next SIGHUP reloads', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'rlf', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  const monitor = monitorAddresses(lan, v.ns);
  try {
    const first = instance('VI_1', { vrid: 60, priority: 100, vip: '192.168.77.210/26' });
    const d = startDaemon(lan, v, 'vigil', first);
    daemons.push(d);
    const describe = (): string => `${d.log()}\n--- ip monitor:\n${monitor.text()}`;
    await eventually(async () => (await everyAddress(lan, v)).includes('192.168.77.210'), 10_000, describe);
    const pid = d.vrrpPid()!;

    // VI_1 changed (it would restart) and VI_2 with a VMAC on lo, which the kernel refuses (EINVAL).
    writeFileSync(d.conf, instance('VI_1', { vrid: 60, priority: 120, vip: '192.168.77.210/26' }) + instance('VI_2', { vrid: 61, priority: 100, vip: '192.168.77.211/26', iface: 'lo', extra: 'use_vmac vrrp.61' }));
    process.kill(pid, 'SIGHUP');
    await eventually(async () => /reload rejected, the running configuration stays: \(VI_2\) cannot create VMAC vrrp\.61 on lo/.test(d.log()), 10_000, describe);
    const kept = await vigilStatus(lan, d);
    assert.deepEqual(kept.instances.map((i) => [i.name, i.state]), [['VI_1', 'MASTER']]);
    assert.equal((kept.instances[0] as unknown as { priority: number }).priority, 100, 'the old VI_1 runs, not the new one');
    assert.equal(kept.reloads, 0);
    assert.doesNotMatch(monitor.text(), /Deleted.*192\.168\.77\.210/, 'the VIP of the running configuration was removed');
    assert.ok(!(await linkNames(lan, v)).includes('vrrp.61'));

    // The latch is free: a good configuration reloads.
    writeFileSync(d.conf, first + instance('VI_3', { vrid: 62, priority: 100, vip: '192.168.77.212/26' }));
    process.kill(pid, 'SIGHUP');
    await eventually(async () => /reloaded: kept 1, started 1, stopped 0/.test(d.log()), 10_000, describe);
    await eventually(async () => (await everyAddress(lan, v)).includes('192.168.77.212'), 10_000, describe);
    const after = await vigilStatus(lan, d);
    assert.deepEqual(after.instances.map((i) => [i.name, i.state]), [['VI_1', 'MASTER'], ['VI_3', 'MASTER']]);
    assert.equal(after.reloads, 1);
    assert.doesNotMatch(monitor.text(), /Deleted.*192\.168\.77\.210/);
  } finally {
    monitor.stop();
    await stopDaemons(lan, daemons);
  }
});

test('SIGTERM during a slow reload: the daemon stops cleanly and leaves nothing of the reload behind', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'rlt', hosts: ['v'], v4Prefix: '192.168.77.X', v4Start: 220, v4PrefixLength: 26 });
  const v = lan.host('v');
  const daemons: Daemon[] = [];
  try {
    const first = instance('VI_1', { vrid: 70, priority: 100, vip: '192.168.77.230/26' });
    const d = startDaemon(lan, v, 'vigil', first);
    daemons.push(d);
    const describe = (): string => d.log();
    await eventually(async () => (await everyAddress(lan, v)).includes('192.168.77.230'), 10_000, describe);

    // The next configuration adds a VMAC instance and takes seconds to parse: 20,000 vrrp_script blocks.
    const scripts = join(d.dir, 'scripts.conf');
    writeFileSync(scripts, Array.from({ length: 20_000 }, (_, i) => `vrrp_script s${i} {\n  script "/bin/true"\n}\n`).join(''));
    writeFileSync(d.conf, `${first}${instance('VI_2', { vrid: 71, priority: 100, vip: '192.168.77.231/26', extra: 'use_vmac vrrp.71' })}include ${scripts}\n`);
    d.kill('SIGHUP');
    await eventually(async () => /reloading the configuration from/.test(d.log()), 10_000, describe);
    d.kill('SIGTERM');
    assert.equal(await d.exited(60_000), 0, describe());
    assert.match(d.log(), /reload abandoned: stopping/, 'the reload had finished before SIGTERM: the test needs a slower one');
    const left = await everyAddress(lan, v);
    assert.ok(!left.includes('192.168.77.230') && !left.includes('192.168.77.231'), `VIPs left: ${left.join(' ')}`);
    assert.ok(!(await linkNames(lan, v)).includes('vrrp.71'), 'the reload left its VMAC behind');
  } finally {
    await stopDaemons(lan, daemons);
  }
});
