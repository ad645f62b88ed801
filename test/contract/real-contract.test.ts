/**
 * The VrrpLink, AddressManager and Announcer contracts on real namespaces: RawVrrpLink, NetlinkAddressManager and
 * RawAnnouncer driven through the agent (test/real/fixtures/agent.ts); what a host holds is the kernel's list
 * (`ip -j addr`), what reaches b is captured by tcpdump.
 */
import { test } from 'node:test';
import type { InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket } from '../../transport/vrrp-link.js';
import { commandAvailable, createLan, type LanHost, type Lan } from '../netns/harness.js';
import { startAgent, type Agent } from '../real/agent-client.js';
import { requireRealNetwork } from '../real/helpers.js';
import type { ContractHost, ContractWorld } from './contract-world.js';
import { pollUntil, runContract } from './contract.js';
import { linkAddressContract } from './link-address-contract.js';
import { announcerContract } from './announcer-contract.js';
import { capture } from './pcap-capture.js';

async function realHost(lan: Lan, host: LanHost, agent: Agent): Promise<ContractHost> {
  await agent.call('amOpen');
  return {
    name: host.name,
    ipv4: host.ipv4,
    ipv6: host.ipv6!,
    ipv6LinkLocal: host.ipv6LinkLocal,
    mac: host.mac,
    open: (options) => agent.call<number>('open', options),
    send: async (channel, destination, bytes) => {
      await agent.call('send', { channel, destination, bytes: Buffer.from(bytes).toString('hex') });
    },
    received: (channel) =>
      agent.events
        .filter((e) => e.event === 'packet' && e['channel'] === channel)
        .map((e) => ({ ...(e as unknown as ReceivedPacket), bytes: new Uint8Array(Buffer.from(String(e['bytes']), 'hex')) })),
    close: async (channel) => {
      await agent.call('close', { channel });
    },
    addAddress: async (a: InterfaceAddress) => {
      await agent.call('amAdd', a);
    },
    removeAddress: async (a: InterfaceAddress) => {
      await agent.call('amRemove', a);
    },
    primaryAddress: async (i, family) => (await agent.call<string | null>('amPrimary', { interface: i, family })) ?? undefined,
    isUp: (i) => agent.call<boolean>('amIsUp', { interface: i }),
    held: async (i) => {
      const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show', 'dev', i]);
      const links = JSON.parse(stdout) as { addr_info: { local: string }[] }[];
      return links.flatMap((l) => l.addr_info.map((a) => a.local));
    },
    announce: async (i, addresses) => {
      await agent.call('announce', { interface: i, addresses });
    },
    setLink: async (up) => {
      await lan.exec(host.ns, ['ip', 'link', 'set', 'eth0', up ? 'up' : 'down']);
    },
    linkEvents: () => agent.events.filter((e) => e.event === 'link').map((e) => e as unknown as LinkEvent),
    deleteInterface: () => lan.deleteInterface(host),
    createInterface: () => lan.createInterface(host),
    refresh: async (channel) => (await agent.call<{ usable: boolean }>('refresh', { channel })).usable,
  };
}

test('VrrpLink, AddressManager and Announcer contracts: real namespaces', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const lan = await createLan({ name: 'ct', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 26, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  try {
    const agents = await Promise.all([startAgent(lan, lan.host('a').ns), startAgent(lan, lan.host('b').ns)]);
    const frames = await capture(lan, lan.host('b').ns, 'eth0', 'arp or (icmp6 and ip6[40] == 136)');
    const world: ContractWorld = {
      a: await realHost(lan, lan.host('a'), agents[0]),
      b: await realHost(lan, lan.host('b'), agents[1]),
      settle: (ms) => new Promise((r) => setTimeout(r, ms)),
      async until(done, what, retry) {
        let last = performance.now();
        await pollUntil(
          async () => {
            if (done()) return true;
            if (retry !== undefined && performance.now() - last >= 200) {
              last = performance.now();
              await retry();
            }
            return false;
          },
          what,
          10_000,
          10,
        );
      },
      framesAtB: () => frames.frames,
      cleanup: async () => {
        frames.stop();
        await Promise.all(agents.map((a) => a.stop()));
      },
    };
    try {
      await t.test('VrrpLink and AddressManager', (st) => runContract(st, linkAddressContract, world));
      await t.test('Announcer', (st) => runContract(st, announcerContract, world));
    } finally {
      await world.cleanup();
    }
  } finally {
    await lan.cleanup();
  }
});
