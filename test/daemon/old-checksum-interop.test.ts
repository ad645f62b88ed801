/**
 * keepalived's old unicast checksum on the wire, vigil against keepalived 2.2.7 (VRRPv3, IPv4, unicast): the one
 * on `old_unicast_checksum` (the multicast group in the pseudo-header) is master, the other, left at its default,
 * hears it, says "Setting unicast VRRPv3 checksum to old version" and stays backup: one VIP holder either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.210';

for (const oldOne of ['keepalived', 'vigil'] as const) {
  const other = oldOne === 'keepalived' ? 'vigil' : 'keepalived';
  test(`${oldOne} on old_unicast_checksum, ${other} at its default: ${other} switches to it, one master`, { timeout: 120_000 }, async (t) => {
    if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
    const lan = await createLan({ name: oldOne === 'vigil' ? 'kwocv' : 'kwock', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 211, v4PrefixLength: 24 });
    const [a, b] = [lan.host('a'), lan.host('b')];
    const daemons: Daemon[] = [];
    try {
      const da = startDaemon(lan, a, oldOne, vrrpConfig({ name: 'a', vrid: 21, priority: 150, version: 3, vip: `${VIP}/24`, unicastSrc: a.ipv4, unicastPeers: [b.ipv4], extra: 'old_unicast_checksum' }));
      const db = startDaemon(lan, b, other, vrrpConfig({ name: 'b', vrid: 21, priority: 100, version: 3, vip: `${VIP}/24`, unicastSrc: b.ipv4, unicastPeers: [a.ipv4] }));
      daemons.push(da, db);
      const describe = async (): Promise<string> => `holders ${JSON.stringify(await holders(lan, [a, b], VIP))}\n--- a (${oldOne}):\n${da.log()}\n--- b (${other}):\n${db.log()}`;
      await eventually(async () => /Setting unicast VRRPv3 checksum to old version/.test(db.log()), 20_000, describe);
      await eventually(async () => JSON.stringify(await holders(lan, [a, b], VIP)) === '["a"]', 20_000, describe);
      // Settled: still one holder after a few more advertisements, and b a backup (whichever daemon started first
      // may have been master alone for a moment before the other spoke).
      await new Promise((r) => setTimeout(r, 3000));
      assert.deepEqual(await holders(lan, [a, b], VIP), ['a'], await describe());
      const states = [...db.log().matchAll(/Entering (\w+) STATE/g)].map((m) => m[1]);
      assert.equal(states.at(-1), 'BACKUP', await describe());
    } finally {
      await stopDaemons(lan, daemons);
    }
  });
}
