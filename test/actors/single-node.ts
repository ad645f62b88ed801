/**
 * One vigil VRRP node `n` on a simulated host with eth0 (192.168.77.11/24) alone on a segment, on the virtual
 * clock, with every bus message kept: the world of the actor tests that change the host's link under the node.
 */
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { Bus, type BusMessage } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';
import type { VrrpLink } from '../../transport/vrrp-link.js';

/** One instance that becomes MASTER (priority 200, alone) and holds 192.168.77.100. */
export const SINGLE_MASTER_CONFIG = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority 200
  advert_int 1
  virtual_ipaddress {
    192.168.77.100/24
  }
}`;

/** The host `n` with eth0 on a lossless segment of its own. */
export function singleHost(): { clock: VirtualClock; host: SimHost } {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('n', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  return { clock, host };
}

/** The node of `config` on `host` (its addresses and announcer), sending through `link`; not started. */
export function singleNode(clock: VirtualClock, host: SimHost, link: VrrpLink, config = SINGLE_MASTER_CONFIG): { node: VrrpNode; messages: BusMessage[] } {
  const bus = new Bus();
  const messages: BusMessage[] = [];
  bus.messages$.subscribe((m) => messages.push(m));
  const node = new VrrpNode('n', nodeSpec(loadConfigText(config, 'test.conf').config), { clock, link, addresses: host, announcer: host }, bus);
  return { node, messages };
}
