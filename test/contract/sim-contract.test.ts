/**
 * The VrrpLink, AddressManager and Announcer contracts on the simulated world (SimHost on a LanSegment, virtual
 * clock), and on simulated hosts with one fault each, which must fail them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressManager, InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket, VrrpChannel, VrrpLink } from '../../transport/vrrp-link.js';
import { macToString } from '../../protocol/ip-bytes.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import type { ContractHost, ContractWorld } from './contract-world.js';
import { failingCases, runContract } from './contract.js';
import { linkAddressContract } from './link-address-contract.js';
import { announcerContract } from './announcer-contract.js';
import { wrapChannel } from '../channel-wrapper.js';

/** A fault in a's transports. */
type Fault =
  /** The address manager keeps its own list and never puts the address on the interface. */
  | 'addresses on paper'
  /** The address manager counts adds: an address added twice needs two removes. */
  | 'counted adds'
  /** The link ignores unicast peers: its channels are multicast ones, deaf to unicast. */
  | 'no unicast'
  /** The announcer sends from the wrong address: a's primary instead of the one announced. */
  | 'wrong sender'
  /** The link's channels stay bound to the interface they were opened on: refresh does nothing. */
  | 'stays bound';

function faulty(sim: SimHost, fault: Fault | undefined): { link: VrrpLink; addresses: Pick<AddressManager, 'addAddress' | 'removeAddress'>; announce: SimHost['announce'] } {
  const counts = new Map<string, number>();
  return {
    link:
      fault === 'no unicast'
        ? { open: (options) => sim.open({ ...options, unicastPeers: [] }) }
        : fault === 'stays bound'
          ? {
              // refresh() does nothing: the channel stays bound to what it was.
              open: (options) => wrapChannel(sim.open(options), { refresh: () => undefined }),
            }
          : sim,
    addresses:
      fault === 'addresses on paper'
        ? { addAddress: async () => {}, removeAddress: async () => {} }
        : fault === 'counted adds'
          ? {
              addAddress: async (a) => {
                counts.set(a.address, (counts.get(a.address) ?? 0) + 1);
                await sim.addAddress(a);
              },
              removeAddress: async (a) => {
                const n = (counts.get(a.address) ?? 0) - 1;
                counts.set(a.address, Math.max(0, n));
                if (n <= 0) await sim.removeAddress(a);
              },
            }
          : sim,
    announce:
      fault === 'wrong sender'
        ? (name, addresses) => sim.announce(name, addresses.map((a) => ({ ...a, address: a.family === 4 ? sim.primaryAddress(name, 4)! : a.address })))
        : (name, addresses) => sim.announce(name, addresses),
  };
}

function simWorld(fault?: Fault): ContractWorld {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = (name: string, index: number, hostFault: Fault | undefined): ContractHost => {
    const sim = new SimHost(name, index);
    const ipv4 = `192.168.77.${11 + index}`;
    const ipv6 = `fd77::${11 + index}`;
    sim.addInterface('eth0', segment, [
      { address: ipv4, prefix: 26, family: 4 },
      { address: ipv6, prefix: 64, family: 6 },
    ]);
    const { link, addresses, announce } = faulty(sim, hostFault);
    const channels = new Map<number, { channel: VrrpChannel; packets: ReceivedPacket[] }>();
    const events: LinkEvent[] = [];
    sim.linkEvents$.subscribe((e) => events.push(e));
    let next = 1;
    return {
      name,
      ipv4,
      ipv6,
      ipv6LinkLocal: sim.primaryAddress('eth0', 6)!,
      mac: macToString(sim.macOf('eth0')!),
      async open(options) {
        const channel = link.open(options);
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
      addAddress: (a: InterfaceAddress) => addresses.addAddress(a),
      removeAddress: (a: InterfaceAddress) => addresses.removeAddress(a),
      primaryAddress: async (i, f) => sim.primaryAddress(i, f),
      isUp: async (i) => sim.isUp(i),
      // What the segment delivers to: the port's addresses.
      held: async (i) => [...(segment.port(name, i)?.addresses ?? [])],
      announce: async (i, list) => announce(i, list),
      setLink: async (up) => sim.setLink('eth0', up),
      linkEvents: () => events,
      deleteInterface: async () => sim.deleteInterface('eth0'),
      createInterface: async () => sim.createInterface('eth0'),
      async refresh(id) {
        const channel = channels.get(id)!.channel;
        channel.refresh();
        return channel.usable;
      },
    };
  };
  const frames: Uint8Array[] = [];
  const world: ContractWorld = {
    a: host('a', 0, fault),
    b: host('b', 1, undefined),
    settle: async (ms) => clock.runFor(ms),
    async until(done, what, retry) {
      for (let waited = 0; !done(); waited += 10) {
        if (waited >= 10_000) throw new Error(`${what}: not reached in 10 s of virtual time`);
        if (retry !== undefined && waited % 200 === 190) await retry();
        clock.runFor(10);
      }
    },
    framesAtB: () => frames,
    cleanup: async () => {},
  };
  segment.port('b', 'eth0')!.listenLinkFrames((frame) => frames.push(frame));
  return world;
}

test('VrrpLink and AddressManager contract: simulated host', async (t) => {
  await runContract(t, linkAddressContract, simWorld());
});

test('Announcer contract: simulated host, frames on the simulated segment', async (t) => {
  await runContract(t, announcerContract, simWorld());
});

test('VrrpLink, AddressManager and Announcer contracts: faulty simulated hosts fail them', async () => {
  const fails = async (fault: Fault, cases: typeof linkAddressContract) => failingCases(cases, () => simWorld(fault));
  const name = (cases: typeof linkAddressContract, start: string) => cases.find((c) => c.name.startsWith(start))!.name;
  const paper = await fails('addresses on paper', linkAddressContract);
  assert.ok(paper.includes(name(linkAddressContract, 'add twice')), paper.join('; '));
  assert.ok(paper.includes(name(linkAddressContract, 'a held VIP is reachable')), paper.join('; '));
  assert.ok((await fails('counted adds', linkAddressContract)).includes(name(linkAddressContract, 'an address added twice is gone')));
  assert.ok((await fails('no unicast', linkAddressContract)).includes(name(linkAddressContract, 'unicast IPv4 between peers')));
  assert.ok((await fails('wrong sender', announcerContract)).includes(name(announcerContract, 'an IPv4 address')));
  assert.deepEqual(await fails('stays bound', linkAddressContract), [name(linkAddressContract, 'an interface deleted and created again')]);
  assert.deepEqual(await failingCases(linkAddressContract, () => simWorld()), []);
  assert.deepEqual(await failingCases(announcerContract, () => simWorld()), []);
});
