/** The transport contract suite on real namespaces: RawVrrpLink and NetlinkAddressManager, through the agent. */
import { test } from 'node:test';
import type { InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { ReceivedPacket } from '../../transport/vrrp-link.js';
import { createLan, type LanHost, type Lan } from '../netns/harness.js';
import { startAgent, type Agent } from '../real/agent-client.js';
import { requireRealNetwork } from '../real/helpers.js';
import type { ContractHost, ContractWorld } from './contract-world.js';
import { runTransportContract } from './transport-contract.js';

async function realHost(lan: Lan, host: LanHost, agent: Agent): Promise<ContractHost> {
  await agent.call('amOpen');
  return {
    name: host.name,
    ipv4: host.ipv4,
    ipv6: host.ipv6!,
    ipv6LinkLocal: host.ipv6LinkLocal,
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
    addressesOn: async (i) => (await agent.call<{ address: string }[]>('amList', { interface: i })).map((a) => a.address),
    setLink: async (up) => {
      await lan.exec(host.ns, ['ip', 'link', 'set', 'eth0', up ? 'up' : 'down']);
    },
    linkEvents: () => agent.events.filter((e) => e.event === 'link').map((e) => e as unknown as LinkEvent),
  };
}

test('transport contract: real VRRP link and netlink address manager', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'ct', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 26, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  const agents = await Promise.all([startAgent(lan, lan.host('a').ns), startAgent(lan, lan.host('b').ns)]);
  const world: ContractWorld = {
    a: await realHost(lan, lan.host('a'), agents[0]),
    b: await realHost(lan, lan.host('b'), agents[1]),
    settle: (ms) => new Promise((r) => setTimeout(r, ms)),
    cleanup: async () => {
      await Promise.all(agents.map((a) => a.stop()));
      await lan.cleanup();
    },
  };
  try {
    await runTransportContract(t, world);
  } finally {
    await world.cleanup();
  }
});
