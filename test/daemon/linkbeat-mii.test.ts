/**
 * linkbeat_interfaces with type MII, vigil beside keepalived 2.2.7: a veth has no MII (SIOCGMIIPHY is refused),
 * so both say the type is not supported and fall back to ETHTOOL (the carrier); polled, the carrier lost under an
 * interface that stays up puts the instance in FAULT and its return brings it back. The MII ioctl itself answers
 * "no MII" for a veth and for a missing interface.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';

const CONFIG = `global_defs {
  router_id kwlb
}
linkbeat_interfaces {
  kwlb0 MII
}
vrrp_instance VI_1 {
  state BACKUP
  interface kwlb0
  virtual_router_id 91
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.168.77.191/24
  }
}
`;

test('miiLinkStatus: no MII on a veth, nor on a missing interface', async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'kwmii', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 192, v4PrefixLength: 24 });
  try {
    const { fileURLToPath } = await import('node:url');
    const native = fileURLToPath(new URL('../../native/index.js', import.meta.url));
    const script = `import(${JSON.stringify(native)}).then((m) => console.log(JSON.stringify([m.miiLinkStatus('eth0'), m.miiLinkStatus('nosuch0')])))`;
    const { stdout } = await lan.exec(lan.host('a').ns, [process.execPath, '-e', script]);
    assert.deepEqual(JSON.parse(stdout), [-1, -1]);
  } finally {
    await lan.cleanup();
  }
});

for (const kind of ['keepalived', 'vigil'] as const) {
  test(`${kind}: linkbeat MII on a veth falls back to ETHTOOL; the carrier lost is FAULT, back is master again`, { timeout: 120_000 }, async (t) => {
    if (!requireRealNetwork(t, () => (kind === 'keepalived' ? commandAvailable('keepalived') : { ok: true }))) return;
    const lan = await createLan({ name: kind === 'vigil' ? 'kwlbv' : 'kwlbk', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 193, v4PrefixLength: 24 });
    const ns = lan.host('a').ns;
    let daemon: Daemon | undefined;
    try {
      await lan.exec(ns, ['ip', 'link', 'add', 'kwlb0', 'type', 'veth', 'peer', 'name', 'kwlb1']);
      await lan.exec(ns, ['ip', 'addr', 'add', '192.168.77.199/24', 'dev', 'kwlb0']);
      await lan.exec(ns, ['ip', 'link', 'set', 'kwlb1', 'up']);
      await lan.exec(ns, ['ip', 'link', 'set', 'kwlb0', 'up']);
      const d = startDaemon(lan, lan.host('a'), kind, CONFIG);
      daemon = d;
      const describe = (): string => d.log();
      const count = (re: RegExp): number => (d.log().match(re) ?? []).length;
      await eventually(async () => /Entering MASTER STATE/.test(d.log()), 15_000, describe);
      assert.match(d.log(), /\(kwlb0\): Configured linkbeat type MII not supported, using ETHTOOL/);
      // The peer down: kwlb0 is still up (IFF_UP) but has no carrier.
      await lan.exec(ns, ['ip', 'link', 'set', 'kwlb1', 'down']);
      await eventually(async () => /entering FAULT state/i.test(d.log()), 10_000, describe);
      const masters = count(/Entering MASTER STATE/g);
      await lan.exec(ns, ['ip', 'link', 'set', 'kwlb1', 'up']);
      await eventually(async () => count(/Entering MASTER STATE/g) > masters, 15_000, describe);
    } finally {
      await stopDaemons(lan, [daemon]);
    }
  });
}
