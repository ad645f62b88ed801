/**
 * keepalived features around the VRRP core, on a real daemon in a namespace: use_vmac (a macvlan with the
 * virtual router MAC carries the VIP and sends the advertisements), virtual_routes and virtual_rules present
 * exactly while master, static_ipaddress, vrrp_track_file and track_process driving FAULT, cleanup on stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

test('use_vmac, virtual_routes/rules, static_ipaddress, track_file and track_process on a real daemon', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const work = mkdtempSync(join(tmpdir(), 'vigil-features-'));
  const file = join(work, 'weight');
  writeFileSync(file, '0\n');
  // A process only this test run has: `sleep 86400.<pid>` (track_process sees every process of the host).
  const marker = `86400.${process.pid}`;
  let sleeper = spawn('sleep', [marker], { stdio: 'ignore' });
  const lan = await createLan({ name: 'ft', hosts: ['v', 'w'], v4Prefix: '192.168.77.X', v4Start: 100, v4PrefixLength: 26 });
  const [v, w] = [lan.host('v'), lan.host('w')];
  const daemons: Daemon[] = [];
  let capture = '';
  const tcpdump = lan.spawn(w.ns, ['tcpdump', '-l', '-e', '-n', '-i', 'eth0', 'ip proto 112']);
  tcpdump.stdout?.on('data', (c: Buffer) => (capture += c.toString()));
  const sh = async (cmd: string[]) => (await lan.exec(v.ns, cmd).catch((e: Error) => ({ stdout: `(${e.message})` }))).stdout;
  try {
    const config = `
global_defs {
  vrrp_version 3
}
static_ipaddress {
  192.168.77.121/26 dev eth0
}
track_file wfile {
  file ${file}
  weight 0
}
vrrp_track_process sleeper {
  process sleep ${marker}
  weight 0
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 40
  priority 200
  advert_int 1
  use_vmac
  virtual_ipaddress {
    192.168.77.120/26
  }
  virtual_routes {
    192.168.77.248/29 dev eth0 table 100
  }
  virtual_rules {
    from 192.168.77.120 table 100
  }
  track_file {
    wfile
  }
  track_process {
    sleeper
  }
}
`;
    const d = startDaemon(lan, v, 'vigil', config);
    daemons.push(d);
    const describe = async () => `${await sh(['ip', 'addr'])}\n${d.log().slice(-3000)}`;
    const vipOnVmac = async () => (await sh(['ip', '-o', 'addr', 'show', 'dev', 'vrrp.40'])).includes('192.168.77.120/26');
    await eventually(vipOnVmac, 10_000, describe);
    // The VMAC: macvlan with 00:00:5e:00:01:28 (VRID 40), advertisements from that MAC.
    assert.match(await sh(['ip', '-o', 'link', 'show', 'dev', 'vrrp.40']), /link\/ether 00:00:5e:00:01:28/);
    await eventually(async () => /00:00:5e:00:01:28 > 01:00:5e:00:00:12/.test(capture), 3000, () => capture);
    assert.match(await sh(['ip', 'route', 'show', 'table', '100']), /192\.168\.77\.248\/29 dev eth0/);
    assert.match(await sh(['ip', 'rule']), /from 192\.168\.77\.120 lookup 100/);
    assert.match(await sh(['ip', '-o', 'addr', 'show', 'dev', 'eth0']), /192\.168\.77\.121\/26/);

    // track_file with weight 0: a non-zero value is FAULT (VIP, routes and rules go), 0 brings it back.
    writeFileSync(file, '1\n');
    await eventually(async () => !(await vipOnVmac()), 4000, describe);
    assert.doesNotMatch(await sh(['ip', 'route', 'show', 'table', '100']), /192\.168\.77\.248/);
    assert.doesNotMatch(await sh(['ip', 'rule']), /lookup 100/);
    writeFileSync(file, '0\n');
    await eventually(vipOnVmac, 8000, describe);

    // track_process: the process gone is FAULT, back is MASTER again.
    sleeper.kill('SIGKILL');
    await eventually(async () => !(await vipOnVmac()), 4000, describe);
    sleeper = spawn('sleep', [marker], { stdio: 'ignore' });
    await eventually(vipOnVmac, 8000, describe);

    // The interface goes down (netlink link event): FAULT, the VIP is released; back up: MASTER again.
    await sh(['ip', 'link', 'set', 'eth0', 'down']);
    await eventually(async () => /Entering FAULT STATE/.test(d.log()) && !(await vipOnVmac()), 4000, describe);
    await sh(['ip', 'link', 'set', 'eth0', 'up']);
    await eventually(vipOnVmac, 10_000, describe);

    // Stop: VMAC, static address and routes are gone.
    d.kill('SIGTERM');
    assert.equal(await d.exited(), 0);
    await eventually(async () => !/vrrp\.40/.test(await sh(['ip', '-o', 'link'])) && !/192\.168\.77\.12[01]/.test(await sh(['ip', '-o', 'addr'])), 3000, describe);
  } finally {
    sleeper.kill('SIGKILL');
    tcpdump.kill('SIGKILL');
    await stopDaemons(lan, daemons);
    rmSync(work, { recursive: true, force: true });
  }
});
