/**
 * The BfdLink contract (transport/bfd-link.ts), judged from the world: what reaches b's interface (a capture, the
 * simulated segment) for the senders, and packets the world sends (Node's dgram with a chosen TTL, a frame put on
 * the segment) for the listener.
 */
import assert from 'node:assert/strict';
import type { IpFamily } from '../../protocol/ip.js';
import type { BfdReceivedPacket, BfdSenderOptions } from '../../transport/bfd-link.js';
import type { ContractCase } from './contract.js';

/** A UDP datagram seen on b's interface. */
export interface WireDatagram {
  readonly family: IpFamily;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  readonly ttl: number;
  readonly bytes: Uint8Array;
}

export interface BfdLinkRig {
  /** `secondaryIpv4`: a second address of a's interface (a `source_ip` other than the primary). */
  readonly a: { readonly ipv4: string; readonly ipv6: string; readonly secondaryIpv4: string };
  readonly b: { readonly ipv4: string; readonly ipv6: string };
  /** The implementation on a: a sender; returns its id and source port. */
  openSender(options: BfdSenderOptions): Promise<{ id: number; sourcePort: number }>;
  send(id: number, bytes: Uint8Array): Promise<void>;
  closeSender(id: number): Promise<void>;
  /** What the implementation's listener on b reported so far. */
  receivedAtB(): BfdReceivedPacket[];
  /** The world: UDP datagrams that reached b's interface so far (to 3784 / 4784). */
  wireAtB(): WireDatagram[];
  /** The world: a datagram from a to b with this TTL and destination port (a source port of the world's choice). */
  inject(family: IpFamily, destinationPort: number, ttl: number, bytes: Uint8Array): Promise<void>;
  until(done: () => boolean, what: string): Promise<void>;
  settle(ms: number): Promise<void>;
}

let marker = 0;
/** A payload told apart from every other: 24 bytes with a counter. */
function payload(): Uint8Array {
  const b = new Uint8Array(24);
  b[0] = 0x20;
  new DataView(b.buffer).setUint32(4, ++marker + 0x5000_0000);
  return b;
}
const same = (x: Uint8Array, y: Uint8Array): boolean => Buffer.from(x).equals(Buffer.from(y));

export const bfdLinkContract: ContractCase<BfdLinkRig>[] = [
  {
    name: 'single hop: to 3784 with TTL 255, from the source address and one source port in 49152-65535',
    async check(rig) {
      for (const family of [4, 6] as const) {
        const local = family === 4 ? rig.a.ipv4 : rig.a.ipv6;
        const remote = family === 4 ? rig.b.ipv4 : rig.b.ipv6;
        const { id, sourcePort } = await rig.openSender({ family, remoteAddress: remote, localAddress: local, ttl: 255, multihop: false });
        assert.ok(sourcePort >= 49152 && sourcePort <= 65535, `source port ${sourcePort} in range (RFC 5881 §4)`);
        const sent = [payload(), payload(), payload()];
        for (const p of sent) await rig.send(id, p);
        await rig.until(() => sent.every((p) => rig.wireAtB().some((w) => same(w.bytes, p))), `IPv${family} packets on the wire`);
        for (const p of sent) {
          const w = rig.wireAtB().find((x) => same(x.bytes, p))!;
          assert.deepEqual([w.family, w.source, w.destination, w.destinationPort, w.sourcePort, w.ttl], [family, local, remote, 3784, sourcePort, 255]);
        }
        await rig.closeSender(id);
      }
    },
  },
  {
    name: 'a sender bound to a secondary address (source_ip) sends from it, not from the primary',
    async check(rig) {
      const local = rig.a.secondaryIpv4;
      const { id, sourcePort } = await rig.openSender({ family: 4, remoteAddress: rig.b.ipv4, localAddress: local, ttl: 255, multihop: false });
      const p = payload();
      await rig.send(id, p);
      await rig.until(() => rig.wireAtB().some((w) => same(w.bytes, p)), 'packet from the secondary address on the wire');
      const w = rig.wireAtB().find((x) => same(x.bytes, p))!;
      assert.deepEqual([w.source, w.sourcePort], [local, sourcePort]);
      await rig.closeSender(id);
    },
  },
  {
    name: 'multihop: to 4784 (RFC 5883) with the TTL asked for',
    async check(rig) {
      const { id } = await rig.openSender({ family: 4, remoteAddress: rig.b.ipv4, localAddress: rig.a.ipv4, ttl: 250, multihop: true });
      const p = payload();
      await rig.send(id, p);
      await rig.until(() => rig.wireAtB().some((w) => same(w.bytes, p)), 'multihop packet on the wire');
      const w = rig.wireAtB().find((x) => same(x.bytes, p))!;
      assert.deepEqual([w.destinationPort, w.ttl], [4784, 250]);
      await rig.closeSender(id);
    },
  },
  {
    name: 'two senders have their own source ports; a closed one sends nothing',
    async check(rig) {
      const one = await rig.openSender({ family: 4, remoteAddress: rig.b.ipv4, localAddress: rig.a.ipv4, ttl: 255, multihop: false });
      const two = await rig.openSender({ family: 4, remoteAddress: rig.b.ipv4, localAddress: rig.a.ipv4, ttl: 255, multihop: false });
      assert.notEqual(one.sourcePort, two.sourcePort);
      await rig.closeSender(one.id);
      const late = payload();
      await rig.send(one.id, late);
      const marker2 = payload();
      await rig.send(two.id, marker2);
      await rig.until(() => rig.wireAtB().some((w) => same(w.bytes, marker2)), 'the open sender is heard');
      await rig.settle(50);
      assert.equal(rig.wireAtB().some((w) => same(w.bytes, late)), false, 'nothing from a closed sender');
      await rig.closeSender(two.id);
    },
  },
  {
    name: 'the listener reports packets to 3784 and 4784 with their TTL, addresses and ports; no other port',
    async check(rig) {
      const cases: [IpFamily, number, number][] = [
        [4, 3784, 255],
        [4, 3784, 254],
        [4, 4784, 251],
        [6, 3784, 255],
        [6, 3784, 17],
      ];
      const sent = cases.map(() => payload());
      for (let i = 0; i < cases.length; i++) await rig.inject(cases[i]![0], cases[i]![1], cases[i]![2], sent[i]!);
      const other = payload();
      await rig.inject(4, 3785, 255, other);
      await rig.until(() => sent.every((p) => rig.receivedAtB().some((r) => same(r.bytes, p))), 'every injected packet heard');
      for (let i = 0; i < cases.length; i++) {
        const [family, port, ttl] = cases[i]!;
        const r = rig.receivedAtB().find((x) => same(x.bytes, sent[i]!))!;
        const w = rig.wireAtB().find((x) => same(x.bytes, sent[i]!));
        assert.deepEqual([r.family, r.source, r.destination, r.port, r.ttl], [family, family === 4 ? rig.a.ipv4 : rig.a.ipv6, family === 4 ? rig.b.ipv4 : rig.b.ipv6, port, ttl]);
        if (w !== undefined) assert.equal(r.sourcePort, w.sourcePort, 'the source port as on the wire');
      }
      await rig.settle(50);
      assert.equal(rig.receivedAtB().some((r) => same(r.bytes, other)), false, 'port 3785 is not BFD');
    },
  },
];
