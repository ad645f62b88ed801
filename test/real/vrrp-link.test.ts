import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan } from '../netns/harness.js';
import { startAgent, type AgentEvent } from './agent-client.js';
import { hex, requireRealNetwork, sampleAdvertisement } from './helpers.js';
import { ipv6ToBytes } from '../../protocol/ip-bytes.js';

// Checksum over the IPv6 pseudo-header (RFC 8200 §8.1) with next header 112, to check what the kernel filled in.
function vrrp6Checksum(source: string, destination: string, message: Uint8Array): number {
  const data = new Uint8Array(40 + message.length + (message.length % 2));
  data.set(ipv6ToBytes(source), 0);
  data.set(ipv6ToBytes(destination), 16);
  data[34] = message.length >> 8;
  data[35] = message.length & 0xff;
  data[39] = 112;
  data.set(message, 40);
  data[40 + 6] = 0;
  data[40 + 7] = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += ((data[i] ?? 0) << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

test('RawVrrpLink between two namespaces', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'link', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4PrefixLength: 26, v6Prefix: 'fd77::64:X', v6PrefixLength: 112 });
  const a = lan.host('a');
  const b = lan.host('b');
  const agents = await Promise.all([startAgent(lan, a.ns), startAgent(lan, b.ns)]);
  const [agentA, agentB] = agents;
  const packetOn = (channel: number, marker: number) => (e: AgentEvent) =>
    e.event === 'packet' && e['channel'] === channel && String(e['bytes']).endsWith(hex(Uint8Array.of(marker)));
  try {
    await t.test('IPv4 multicast: TTL 255, source = primary address, destination 224.0.0.18, header stripped', async () => {
      const common = { interface: 'eth0', family: 4, unicastPeers: [] };
      const sender = await agentA.call<number>('open', { ...common, sourceAddress: a.ipv4 });
      const receiver = await agentB.call<number>('open', { ...common, sourceAddress: b.ipv4 });
      const bytes = sampleAdvertisement(51, 100, [192, 168, 77, 1]);
      await agentA.call('send', { channel: sender, destination: '224.0.0.18', bytes: hex(bytes) });
      const got = await agentB.waitFor(packetOn(receiver, 1));
      assert.equal(got['bytes'], hex(bytes));
      assert.equal(got['ttl'], 255);
      assert.equal(got['source'], a.ipv4);
      assert.equal(got['destination'], '224.0.0.18');
      assert.equal(got['family'], 4);
      assert.equal(got['interface'], 'eth0');
      // Multicast loop is off: the sender does not hear itself.
      assert.equal(agentA.events.some((e) => e.event === 'packet' && e['channel'] === sender), false);
    });

    await t.test('IPv4 multicast sent with TTL 254 is reported as 254', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: a.ipv4, hopLimit: 254 });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: b.ipv4 });
      await agentA.call('send', { channel: sender, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(52, 100, [192, 168, 77, 2])) });
      const got = await agentB.waitFor(packetOn(receiver, 2));
      assert.equal(got['ttl'], 254);
    });

    await t.test('IPv6 multicast: hop limit 255, link-local source, ff02::12, kernel checksum', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [], sourceAddress: a.ipv6LinkLocal });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [], sourceAddress: b.ipv6LinkLocal });
      const bytes = sampleAdvertisement(53, 100, [...ipv6ToBytes('fd77::64:3')]);
      await agentA.call('send', { channel: sender, destination: 'ff02::12', bytes: hex(bytes) });
      const got = await agentB.waitFor(packetOn(receiver, 3));
      assert.equal(got['ttl'], 255);
      assert.equal(got['source'], a.ipv6LinkLocal);
      assert.equal(got['destination'], 'ff02::12');
      assert.equal(got['family'], 6);
      const received = new Uint8Array(Buffer.from(String(got['bytes']), 'hex'));
      assert.equal(hex(received.subarray(0, 6)), hex(bytes.subarray(0, 6)));
      assert.equal(hex(received.subarray(8)), hex(bytes.subarray(8)));
      const checksum = ((received[6] ?? 0) << 8) | (received[7] ?? 0);
      assert.equal(checksum, vrrp6Checksum(a.ipv6LinkLocal, 'ff02::12', received));
    });

    await t.test('IPv6 hop limit 254 is reported as 254', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [], sourceAddress: a.ipv6LinkLocal, hopLimit: 254 });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [], sourceAddress: b.ipv6LinkLocal });
      await agentA.call('send', { channel: sender, destination: 'ff02::12', bytes: hex(sampleAdvertisement(54, 100, [...ipv6ToBytes('fd77::64:4')])) });
      const got = await agentB.waitFor(packetOn(receiver, 4));
      assert.equal(got['ttl'], 254);
    });

    await t.test('IPv4 unicast: to the peer, from the configured source (a secondary address)', async () => {
      await lan.exec(a.ns, ['ip', 'addr', 'add', '192.168.77.120/26', 'dev', 'eth0']);
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [b.ipv4], sourceAddress: '192.168.77.120' });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [a.ipv4], sourceAddress: b.ipv4 });
      await agentA.call('send', { channel: sender, destination: b.ipv4, bytes: hex(sampleAdvertisement(55, 100, [192, 168, 77, 5])) });
      const got = await agentB.waitFor(packetOn(receiver, 5));
      assert.equal(got['source'], '192.168.77.120');
      assert.equal(got['destination'], b.ipv4);
      assert.equal(got['ttl'], 255);
    });

    await t.test('IPv6 unicast between global addresses', async () => {
      assert.ok(a.ipv6 !== undefined && b.ipv6 !== undefined);
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [b.ipv6], sourceAddress: a.ipv6 });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 6, unicastPeers: [a.ipv6], sourceAddress: b.ipv6 });
      await agentA.call('send', { channel: sender, destination: b.ipv6, bytes: hex(sampleAdvertisement(56, 100, [...ipv6ToBytes('fd77::64:6')])) });
      const got = await agentB.waitFor(packetOn(receiver, 6));
      assert.equal(got['source'], a.ipv6);
      assert.equal(got['destination'], b.ipv6);
      assert.equal(got['ttl'], 255);
    });

    await t.test('SO_BINDTODEVICE: a channel on eth0 ignores VRRP arriving on another interface', async () => {
      // A second link between a and b: x0 (in a) <-> x1 (in b), outside the LAN bridge.
      await lan.exec(b.ns, ['ip', 'link', 'add', 'x1', 'type', 'veth', 'peer', 'name', 'x0', 'netns', a.ns]);
      await lan.exec(b.ns, ['ip', 'addr', 'add', '192.168.77.122/30', 'dev', 'x1']);
      await lan.exec(a.ns, ['ip', 'addr', 'add', '192.168.77.121/30', 'dev', 'x0']);
      await lan.exec(b.ns, ['ip', 'link', 'set', 'x1', 'up']);
      await lan.exec(a.ns, ['ip', 'link', 'set', 'x0', 'up']);
      const bound = await agentB.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: b.ipv4 });
      const x1Index = Number((await lan.exec(b.ns, ['cat', '/sys/class/net/x1/ifindex'])).stdout.trim());
      // An unbound socket that joined the group on x1 proves the packet really reached b.
      const unbound = await agentB.call<number>('rawListen', { family: 4, group: '224.0.0.18', ifindex: x1Index });
      const side = await agentA.call<number>('open', { interface: 'x0', family: 4, unicastPeers: [], sourceAddress: '192.168.77.121' });
      await agentA.call('send', { channel: side, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(57, 100, [192, 168, 77, 7])) });
      await agentB.waitFor((e) => e.event === 'raw' && e['socket'] === unbound && String(e['bytes']).endsWith('07'));
      // Then a marker on eth0: once it is in, anything queued before it on the bound socket has been read too.
      const lanSender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: a.ipv4 });
      await agentA.call('send', { channel: lanSender, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(58, 100, [192, 168, 77, 8])) });
      await agentB.waitFor(packetOn(bound, 8));
      assert.equal(agentB.events.some(packetOn(bound, 7)), false, 'the eth0 channel must not see x1 traffic');
    });

    await t.test('a burst of 300 advertisements sent at once all arrive', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: a.ipv4 });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: b.ipv4 });
      const since = agentB.events.length;
      await agentA.call('send', { channel: sender, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(60, 100, [192, 168, 77, 10])), repeat: 300 });
      let seen = 0;
      await agentB.waitFor((e) => packetOn(receiver, 10)(e) && ++seen === 300, 5000, since);
      assert.equal(seen, 300);
    });

    await t.test('a channel on a missing interface is unusable (a send is an ENODEV error) until the interface exists', async () => {
      const channel = await agentA.call<number>('open', { interface: 'late0', family: 4, unicastPeers: [], sourceAddress: '' });
      assert.deepEqual(await agentA.call('channelState', { channel }), { usable: false, index: 0, rebinds: 0, sent: 0, failures: 0 });
      await agentA.call('send', { channel, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(61, 100, [192, 168, 77, 11])) });
      const error = await agentA.waitFor((e) => e.event === 'sendError' && e['channel'] === channel);
      assert.equal(error['code'], 'ENODEV');
      await lan.exec(a.ns, ['ip', 'link', 'add', 'late0', 'type', 'veth', 'peer', 'name', 'late1']);
      try {
        const state = await agentA.call<{ usable: boolean; index: number }>('refresh', { channel });
        assert.equal(state.usable, true);
        assert.ok(state.index > 0);
        await agentA.waitFor((e) => e.event === 'usable' && e['channel'] === channel && e['usable'] === true);
      } finally {
        await lan.exec(a.ns, ['ip', 'link', 'del', 'late0']);
      }
    });

    await t.test('a send that the kernel refuses (interface down) is reported, not thrown', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [], sourceAddress: a.ipv4 });
      await lan.exec(a.ns, ['ip', 'link', 'set', 'eth0', 'down']);
      try {
        const result = await agentA.call<{ failures: number }>('send', { channel: sender, destination: '224.0.0.18', bytes: hex(sampleAdvertisement(59, 100, [192, 168, 77, 9])) });
        assert.equal(result.failures, 1);
        const error = await agentA.waitFor((e) => e.event === 'sendError' && e['channel'] === sender);
        assert.match(String(error['error']), /sendmsg/);
      } finally {
        await lan.exec(a.ns, ['ip', 'link', 'set', 'eth0', 'up']);
      }
    });
  } finally {
    await Promise.all(agents.map((x) => x.stop()));
    await lan.cleanup();
  }
});
