/**
 * global_defs dynamic_interfaces, vigil beside keepalived 2.2.7: an instance whose interface does not exist at
 * start waits for it (FAULT) instead of stopping the daemon, and becomes master on it once it appears; without
 * the keyword vigil refuses to start, naming the file, line and interface.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.171';

function config(dynamic: boolean): string {
  return `global_defs {
  router_id kwdyn
  ${dynamic ? 'dynamic_interfaces' : ''}
}
vrrp_instance VI_1 {
  state BACKUP
  interface kwdyn0
  virtual_router_id 71
  priority 100
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

async function vipOn(lan: Lan, host: LanHost): Promise<boolean> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show']);
  return (JSON.parse(stdout) as { ifname: string; addr_info: { local: string }[] }[]).some((l) => l.ifname === 'kwdyn0' && l.addr_info.some((a) => a.local === VIP));
}

for (const kind of ['keepalived', 'vigil'] as const) {
  test(`${kind}: dynamic_interfaces: FAULT while the interface is missing, master once it appears`, { timeout: 120_000 }, async (t) => {
    if (!requireRealNetwork(t, () => (kind === 'keepalived' ? commandAvailable('keepalived') : { ok: true }))) return;
    const lan = await createLan({ name: kind === 'vigil' ? 'kwdynv' : 'kwdynk', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 172, v4PrefixLength: 24 });
    const a = lan.host('a');
    let daemon: Daemon | undefined;
    try {
      const d = startDaemon(lan, a, kind, config(true));
      daemon = d;
      const describe = (): string => d.log();
      await eventually(async () => /entering FAULT state/i.test(d.log()), 10_000, describe);
      assert.equal(d.proc.exitCode, null, d.log());
      // A veth pair in the same namespace: kwdyn0 carries the instance, its peer only lets it come up.
      await lan.exec(a.ns, ['ip', 'link', 'add', 'kwdyn0', 'type', 'veth', 'peer', 'name', 'kwdyn1']);
      await lan.exec(a.ns, ['ip', 'addr', 'add', '192.168.77.179/24', 'dev', 'kwdyn0']);
      await lan.exec(a.ns, ['ip', 'link', 'set', 'kwdyn1', 'up']);
      await lan.exec(a.ns, ['ip', 'link', 'set', 'kwdyn0', 'up']);
      await eventually(async () => /Entering MASTER STATE/.test(d.log()) && (await vipOn(lan, a)), 15_000, describe);
    } finally {
      await stopDaemons(lan, [daemon]);
    }
  });
}

test('vigil without dynamic_interfaces: a missing interface stops the start, with file, line and name', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'kwdynx', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 173, v4PrefixLength: 24 });
  let daemon: Daemon | undefined;
  try {
    const d = startDaemon(lan, lan.host('a'), 'vigil', config(false));
    daemon = d;
    const code = await d.exited(30_000);
    assert.notEqual(code, 0);
    assert.match(d.log(), /keepalived\.conf:5: vrrp_instance VI_1: interface kwdyn0 does not exist/);
    assert.doesNotMatch(d.log(), /\n\s+at /, 'no stack trace');
  } finally {
    await stopDaemons(lan, [daemon]);
  }
});
