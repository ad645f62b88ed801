/**
 * The BfdLink contract (bfd-link-contract.ts) on the simulated link (SimulatedBfdLink on a LanSegment, virtual
 * clock), on simulated links with one fault each, which must fail it, and on the real one (UdpBfdLink in two
 * namespaces, driven through the agent; what reaches b is captured by tcpdump).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpFamily } from '../../protocol/ip.js';
import { bytesToIp } from '../../protocol/ip-bytes.js';
import type { BfdLink, BfdReceivedPacket, BfdSender, BfdSenderOptions } from '../../transport/bfd-link.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimulatedBfdLink } from '../../sim/simulated-bfd-link.js';
import { commandAvailable, createLan } from '../netns/harness.js';
import { startAgent } from '../real/agent-client.js';
import { requireRealNetwork } from '../real/helpers.js';
import { bfdLinkContract, type BfdLinkRig, type WireDatagram } from './bfd-link-contract.js';
import { failingCases, pollUntil, runContract } from './contract.js';
import { capture } from './pcap-capture.js';

const A = { ipv4: '192.168.77.11', ipv6: 'fd77::11', secondaryIpv4: '192.168.77.21' };
const B = { ipv4: '192.168.77.12', ipv6: 'fd77::12' };

type Fault = 'sends TTL 64' | 'multihop to 3784' | 'source port 3784' | 'loses the TTL' | 'one port for all';

function faulty(link: SimulatedBfdLink, fault: Fault | undefined): Pick<BfdLink, 'openSender'> {
  let shared: BfdSender | undefined;
  switch (fault) {
    case 'sends TTL 64':
      return { openSender: (o) => link.openSender({ ...o, ttl: 64 }) };
    case 'multihop to 3784':
      return { openSender: (o) => link.openSender({ ...o, multihop: false }) };
    case 'source port 3784':
      return { openSender: (o) => ({ ...link.openSender(o), sourcePort: 3784 }) };
    case 'one port for all':
      return { openSender: (o) => (shared ??= link.openSender(o)) };
    default:
      return link;
  }
}

function simRig(fault?: Fault): BfdLinkRig {
  const clock = new VirtualClock();
  const random = new SeededRandom(5);
  const segment = new LanSegment('lan', clock, random, { latencyMs: 0.2, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const portA = segment.attach('a', 'eth0');
  const portB = segment.attach('b', 'eth0');
  for (const a of [A.ipv4, A.ipv6, A.secondaryIpv4]) portA.addresses.add(a);
  for (const b of [B.ipv4, B.ipv6]) portB.addresses.add(b);
  const linkA = new SimulatedBfdLink([portA], random);
  const linkB = new SimulatedBfdLink([portB], random);
  const sender = faulty(linkA, fault);
  const received: BfdReceivedPacket[] = [];
  linkB.packets$.subscribe((p) => received.push(fault === 'loses the TTL' ? { ...p, ttl: undefined } : p));
  const wire: WireDatagram[] = [];
  portB.listen((f) => {
    if (f.protocol === 17 && f.udp !== undefined) wire.push({ family: f.family, source: f.source, sourcePort: f.udp.sourcePort, destination: f.destination, destinationPort: f.udp.destinationPort, ttl: f.ttl, bytes: f.bytes });
  });
  const senders = new Map<number, BfdSender>();
  let next = 1;
  return {
    a: A,
    b: B,
    async openSender(options: BfdSenderOptions) {
      const s = sender.openSender(options);
      senders.set(next, s);
      return { id: next++, sourcePort: s.sourcePort };
    },
    async send(id, bytes) {
      senders.get(id)?.send(bytes);
    },
    async closeSender(id) {
      senders.get(id)?.close();
    },
    receivedAtB: () => received,
    wireAtB: () => wire,
    async inject(family: IpFamily, destinationPort, ttl, bytes) {
      portA.send({ family, source: family === 4 ? A.ipv4 : A.ipv6, destination: family === 4 ? B.ipv4 : B.ipv6, ttl, protocol: 17, udp: { sourcePort: 40000, destinationPort }, bytes });
    },
    async until(done, what) {
      for (let i = 0; i < 10_000 && !done(); i++) clock.runFor(1);
      if (!done()) throw new Error(`${what}: not reached in 10 s of virtual time`);
    },
    async settle(ms) {
      clock.runFor(ms);
    },
  };
}

test('BfdLink contract: simulated', async (t) => {
  await runContract(t, bfdLinkContract, () => simRig());
});

test('BfdLink contract: every broken simulated link fails it', async () => {
  for (const fault of ['sends TTL 64', 'multihop to 3784', 'source port 3784', 'loses the TTL', 'one port for all'] as const) {
    const failed = await failingCases(bfdLinkContract, () => simRig(fault));
    assert.ok(failed.length > 0, `the suite catches "${fault}"`);
  }
});

/** A UDP datagram to 3784/4784 out of a captured Ethernet frame (IPv4 or IPv6 without extension headers). */
function parseFrame(frame: Uint8Array): WireDatagram | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const type = view.getUint16(12);
  let family: IpFamily;
  let ttl: number;
  let source: string;
  let destination: string;
  let udp: number;
  if (type === 0x0800 && frame[14 + 9] === 17) {
    family = 4;
    ttl = frame[14 + 8]!;
    source = bytesToIp(frame.subarray(26, 30));
    destination = bytesToIp(frame.subarray(30, 34));
    udp = 14 + (frame[14]! & 0x0f) * 4;
  } else if (type === 0x86dd && frame[14 + 6] === 17) {
    family = 6;
    ttl = frame[14 + 7]!;
    source = bytesToIp(frame.subarray(22, 38));
    destination = bytesToIp(frame.subarray(38, 54));
    udp = 54;
  } else return undefined;
  const length = view.getUint16(udp + 4);
  return { family, source, destination, ttl, sourcePort: view.getUint16(udp), destinationPort: view.getUint16(udp + 2), bytes: frame.slice(udp + 8, udp + length) };
}

test('BfdLink contract: real UDP sockets in namespaces', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'))) return;
  const lan = await createLan({ name: 'bfdct', hosts: ['a', 'b'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 26, v6Prefix: 'fd77::X', v6PrefixLength: 64 });
  try {
    const a = lan.host('a');
    const b = lan.host('b');
    const secondaryIpv4 = '192.168.77.41';
    await lan.exec(a.ns, ['ip', 'addr', 'add', `${secondaryIpv4}/26`, 'dev', 'eth0']);
    const [agentA, agentB] = await Promise.all([startAgent(lan, a.ns), startAgent(lan, b.ns)]);
    const frames = await capture(lan, b.ns, 'eth0', 'udp');
    try {
      const listenErrors = await agentB.call<string[]>('bfdListen');
      assert.deepEqual(listenErrors, []);
      const rig: BfdLinkRig = {
        a: { ipv4: a.ipv4, ipv6: a.ipv6!, secondaryIpv4 },
        b: { ipv4: b.ipv4, ipv6: b.ipv6! },
        openSender: (options) => agentA.call('bfdOpen', options),
        send: async (id, bytes) => {
          await agentA.call('bfdSend', { sender: id, bytes: Buffer.from(bytes).toString('hex') });
        },
        closeSender: async (id) => {
          await agentA.call('bfdClose', { sender: id });
        },
        receivedAtB: () =>
          agentB.events
            .filter((e) => e.event === 'bfdPacket')
            .map((e) => ({ ...(e as unknown as BfdReceivedPacket), ttl: (e['ttl'] as number | null | undefined) ?? undefined, bytes: new Uint8Array(Buffer.from(String(e['bytes']), 'hex')) })),
        wireAtB: () => frames.frames.map(parseFrame).filter((w): w is WireDatagram => w !== undefined),
        inject: async (family, port, ttl, bytes) => {
          await agentA.call('udpInject', { family, port, ttl, destination: family === 4 ? b.ipv4 : b.ipv6, bytes: Buffer.from(bytes).toString('hex') });
        },
        until: (done, what) => pollUntil(done, what, 20_000, 5),
        settle: (ms) => new Promise((r) => setTimeout(r, ms)),
      };
      await runContract(t, bfdLinkContract, rig);
    } finally {
      frames.stop();
      await Promise.all([agentA.stop(), agentB.stop()]);
    }
  } finally {
    await lan.cleanup();
  }
});
