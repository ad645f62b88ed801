/**
 * PrintStatsClear (keepalived vrrp_print_stats(true)): the statistics the stats dump printed are zeroed, every
 * instance's (advertisements, priority 0, became / released master, address list errors, packet errors by reason);
 * the status and what reads it (the dump, /metrics, the MIBs) count from 0 again; vigil's own transitions stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { instanceStatuses } from '../../actors/status.js';
import { formatStatsDump } from '../../actors/daemon/dumps.js';
import { loadConfigText } from '../../config/load.js';

const config = (priority: number, advertInt = 1): string => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority ${priority}
  advert_int ${advertInt}
  virtual_ipaddress {
    192.168.77.100/24
  }
}`;

test('clearStats zeroes the statistics keepalived clears; they count again from 0; transitions stay', () => {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const nodes = [config(200), config(100), config(50, 3)].map((text, i) => {
    const host = new SimHost(`n${i}`, i);
    host.addInterface('eth0', segment, [{ address: `192.168.77.${11 + i}`, prefix: 24, family: 4 }]);
    return new VrrpNode(`n${i}`, nodeSpec(loadConfigText(text, 'test.conf').config), { clock, link: host, addresses: host, announcer: host }, new Bus());
  });
  for (const n of nodes) n.start();
  clock.runUntil(10_000);
  // n0 is master; n1 hears it, and drops n2's advertisements (advert_int 3, not 1) as keepalived counts them.
  const [master, backup] = [nodes[0]!, nodes[1]!];
  const before = instanceStatuses(backup)[0]!.counters;
  assert.ok(before.adverts_received > 5, JSON.stringify(before));
  assert.ok((before.drops.interval ?? 0) > 0, JSON.stringify(before));
  assert.ok(before.transitions > 0);
  const masterBefore = instanceStatuses(master)[0]!.counters;
  assert.equal(masterBefore.become_master, 1);
  assert.ok(masterBefore.adverts_sent > 5);
  const dump = formatStatsDump({ pid: 1, config_file: 'k.conf', reloads: 0, instances: instanceStatuses(backup), scripts: [], virtual_servers: [], drops: {} });

  for (const n of nodes) n.clearStats();
  const cleared = instanceStatuses(backup)[0]!.counters;
  assert.deepEqual(
    { ...cleared, transitions: 0, restarts: 0 },
    { adverts_sent: 0, adverts_received: 0, priority_zero_sent: 0, priority_zero_received: 0, become_master: 0, release_master: 0, transitions: 0, address_list_errors: 0, restarts: 0, drops: {} },
  );
  assert.equal(cleared.transitions, before.transitions, 'vigil counts its transitions on');
  assert.equal(instanceStatuses(master)[0]!.counters.become_master, 0, 'still master, the statistic cleared');
  // The dump taken before the clear printed the old counts.
  assert.match(dump, new RegExp(`advertisements received: ${before.adverts_received}\\n`));

  // Counted from 0 again: about one advertisement a second from the master.
  clock.runUntil(15_000);
  const after = instanceStatuses(backup)[0]!.counters;
  assert.ok(after.adverts_received >= 4 && after.adverts_received <= 6, JSON.stringify(after));
  assert.ok(instanceStatuses(master)[0]!.counters.adverts_sent <= 6);
  for (const n of nodes) n.stop();
});
