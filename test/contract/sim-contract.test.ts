/** The transport contract suite on the simulated world (SimHost on a LanSegment, virtual clock). */
import { test } from 'node:test';
import type { InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket, VrrpChannel } from '../../transport/vrrp-link.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import type { ContractHost, ContractWorld } from './contract-world.js';
import { runTransportContract } from './transport-contract.js';

function simWorld(): ContractWorld {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = (name: string, index: number): ContractHost => {
    const sim = new SimHost(name, index);
    const ipv4 = `192.168.77.${11 + index}`;
    const ipv6 = `fd77::${11 + index}`;
    sim.addInterface('eth0', segment, [
      { address: ipv4, prefix: 26, family: 4 },
      { address: ipv6, prefix: 64, family: 6 },
    ]);
    const channels = new Map<number, { channel: VrrpChannel; packets: ReceivedPacket[] }>();
    const events: LinkEvent[] = [];
    sim.linkEvents$.subscribe((e) => events.push(e));
    let next = 1;
    return {
      name,
      ipv4,
      ipv6,
      ipv6LinkLocal: sim.primaryAddress('eth0', 6)!,
      async open(options) {
        const channel = sim.open(options);
        const packets: ReceivedPacket[] = [];
        channel.packets$.subscribe((p) => packets.push(p));
        channels.set(next, { channel, packets });
        return next++;
      },
      async send(id, destination, bytes) {
        channels.get(id)!.channel.send(destination, bytes);
      },
      received: (id) => channels.get(id)!.packets,
      async close(id) {
        channels.get(id)!.channel.close();
      },
      addAddress: (a: InterfaceAddress) => sim.addAddress(a),
      removeAddress: (a: InterfaceAddress) => sim.removeAddress(a),
      primaryAddress: async (i, f) => sim.primaryAddress(i, f),
      isUp: async (i) => sim.isUp(i),
      addressesOn: async () => [ipv4, ipv6, sim.primaryAddress('eth0', 6)!, ...sim.heldAddresses()],
      setLink: async (up) => sim.setLink('eth0', up),
      linkEvents: () => events,
    };
  };
  return {
    a: host('a', 0),
    b: host('b', 1),
    settle: async (ms) => clock.runFor(ms),
    cleanup: async () => {},
  };
}

test('transport contract: simulated VRRP link and address manager', async (t) => {
  const world = simWorld();
  await runTransportContract(t, world);
  await world.cleanup();
});
