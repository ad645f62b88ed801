/**
 * RawVrrpLink channels for `auth_type AH` between two namespaces: protocol 51 with IP_HDRINCL. The datagram vigil
 * seals arrives exactly as sealed (identification, TOS, TTL, the header checksum the kernel fills in), the VRRP
 * message is handed over beside it, and AH and plain VRRP channels never hear each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan } from '../netns/harness.js';
import { startAgent, type AgentEvent } from './agent-client.js';
import { hex, requireRealNetwork } from './helpers.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { ahKey, sealAhDatagram, verifyAhDatagram } from '../../protocol/ipsec-ah.js';

function message(vrid: number, source: string, destination: string): Uint8Array {
  return encodeAdvertisement(
    { version: 2, vrid, priority: 100, intervalCs: 100, family: 4, addresses: ['192.168.77.100'], authType: 2, authPassword: '' },
    { source, destination },
  );
}

test('RawVrrpLink with AH between two namespaces', { timeout: 30_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'ahlink', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4PrefixLength: 26 });
  const a = lan.host('a');
  const b = lan.host('b');
  const [agentA, agentB] = await Promise.all([startAgent(lan, a.ns), startAgent(lan, b.ns)]);
  const packetOn = (agent: typeof agentA, channel: number, vrid: number): Promise<AgentEvent> =>
    agent.waitFor((e) => e.event === 'packet' && e['channel'] === channel && String(e['bytes']).slice(2, 4) === vrid.toString(16).padStart(2, '0'));
  const key = ahKey('secret');
  try {
    await t.test('multicast: the sealed datagram arrives byte for byte; the VRRP message beside it', async () => {
      const common = { interface: 'eth0', family: 4, unicastPeers: [], ipsecAh: true };
      const sender = await agentA.call<number>('open', { ...common, sourceAddress: a.ipv4 });
      const receiver = await agentB.call<number>('open', { ...common, sourceAddress: b.ipv4 });
      const vrrp = message(61, a.ipv4, '224.0.0.18');
      const datagram = sealAhDatagram(vrrp, { source: a.ipv4, destination: '224.0.0.18', ttl: 255, identification: 7, sequence: 42, key, unicast: false });
      await agentA.call('send', { channel: sender, destination: '224.0.0.18', bytes: hex(datagram) });
      const got = await packetOn(agentB, receiver, 61);
      assert.equal(got['datagram'], hex(datagram), 'identification, TOS, TTL and the header checksum as sealed');
      assert.equal(got['bytes'], hex(vrrp));
      assert.equal(got['ttl'], 255);
      assert.equal(got['source'], a.ipv4);
      assert.equal(got['destination'], '224.0.0.18');
      assert.deepEqual(verifyAhDatagram(new Uint8Array(Buffer.from(String(got['datagram']), 'hex')), key, false), { ok: true, sequence: 42 });
      assert.equal(agentA.events.some((e) => e.event === 'packet' && e['channel'] === sender), false, 'no multicast loop');
    });

    await t.test('AH and plain VRRP channels do not hear each other', async () => {
      const common = { interface: 'eth0', family: 4, unicastPeers: [] };
      const ahSender = await agentA.call<number>('open', { ...common, sourceAddress: a.ipv4, ipsecAh: true });
      const plainSender = await agentA.call<number>('open', { ...common, sourceAddress: a.ipv4 });
      const ahReceiver = await agentB.call<number>('open', { ...common, sourceAddress: b.ipv4, ipsecAh: true });
      const plainReceiver = await agentB.call<number>('open', { ...common, sourceAddress: b.ipv4 });
      const since = agentB.events.length;
      const sealed = sealAhDatagram(message(62, a.ipv4, '224.0.0.18'), { source: a.ipv4, destination: '224.0.0.18', ttl: 255, identification: 1, sequence: 1, key, unicast: false });
      await agentA.call('send', { channel: ahSender, destination: '224.0.0.18', bytes: hex(sealed) });
      await agentA.call('send', { channel: plainSender, destination: '224.0.0.18', bytes: hex(message(63, a.ipv4, '224.0.0.18')) });
      await packetOn(agentB, ahReceiver, 62);
      await packetOn(agentB, plainReceiver, 63);
      const mine = new Set([ahReceiver, plainReceiver]);
      const heard = agentB.events.slice(since).filter((e) => e.event === 'packet' && mine.has(Number(e['channel']))).map((e) => `${String(e['channel'])}:${String(e['bytes']).slice(2, 4)}`);
      assert.deepEqual(heard.sort(), [`${ahReceiver}:3e`, `${plainReceiver}:3f`].sort());
    });

    await t.test('unicast: to the peer address, TTL outside the ICV; a test TTL of 254 is what arrives', async () => {
      const sender = await agentA.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [b.ipv4], sourceAddress: a.ipv4, ipsecAh: true, hopLimit: 254 });
      const receiver = await agentB.call<number>('open', { interface: 'eth0', family: 4, unicastPeers: [a.ipv4], sourceAddress: b.ipv4, ipsecAh: true });
      const vrrp = message(64, a.ipv4, b.ipv4);
      const datagram = sealAhDatagram(vrrp, { source: a.ipv4, destination: b.ipv4, ttl: 255, identification: 9, sequence: 3, key, unicast: true });
      await agentA.call('send', { channel: sender, destination: b.ipv4, bytes: hex(datagram) });
      const got = await packetOn(agentB, receiver, 64);
      assert.equal(got['ttl'], 254);
      assert.equal(got['destination'], b.ipv4);
      const arrived = new Uint8Array(Buffer.from(String(got['datagram']), 'hex'));
      assert.deepEqual(verifyAhDatagram(arrived, key, true), { ok: true, sequence: 3 });
    });
  } finally {
    await Promise.all([agentA.stop(), agentB.stop()]);
    await lan.cleanup();
  }
});
