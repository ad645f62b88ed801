/**
 * The VrrpLink and AddressManager contracts, run by sim-contract.test.ts and real-contract.test.ts on their
 * worlds. Idempotency is judged from what the interface really holds (the kernel's list, the simulated segment's
 * port) and from what reaches it, not from the manager's own account.
 */
import assert from 'node:assert/strict';
import type { ContractWorld } from './contract-world.js';
import type { ContractCase } from './contract.js';

const marker = (n: number): Uint8Array => Uint8Array.from([0x31, 51, 100, 1, 0x00, 0x64, 0, 0, 192, 168, 77, n]);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const v4 = { interface: 'eth0', family: 4 as const, unicastPeers: [] as string[] };
const copies = (list: readonly string[], address: string): number => list.filter((x) => x === address).length;

export const linkAddressContract: readonly ContractCase<ContractWorld>[] = [
  {
    name: 'multicast IPv4: bytes, source, destination, TTL 255, interface; no loopback to the sender',
    async check(world) {
      const { a, b } = world;
      const sa = await a.open({ ...v4, sourceAddress: a.ipv4 });
      const sb = await b.open({ ...v4, sourceAddress: b.ipv4 });
      await a.send(sa, '224.0.0.18', marker(1));
      await world.settle(300);
      const got = b.received(sb).filter((p) => hex(p.bytes) === hex(marker(1)));
      assert.equal(got.length, 1);
      assert.equal(got[0]!.source, a.ipv4);
      assert.equal(got[0]!.destination, '224.0.0.18');
      assert.equal(got[0]!.ttl, 255);
      assert.equal(got[0]!.family, 4);
      assert.equal(got[0]!.interface, 'eth0');
      assert.equal(a.received(sa).length, 0);
      await a.close(sa);
      await b.close(sb);
    },
  },
  {
    name: 'multicast IPv6: link-local source, ff02::12, hop limit 255',
    async check(world) {
      const { a, b } = world;
      const v6 = { interface: 'eth0', family: 6 as const, unicastPeers: [] as string[] };
      const sa = await a.open({ ...v6, sourceAddress: a.ipv6LinkLocal });
      const sb = await b.open({ ...v6, sourceAddress: b.ipv6LinkLocal });
      const bytes = Uint8Array.from([0x31, 52, 100, 0, 0x00, 0x64, 0, 0]);
      await a.send(sa, 'ff02::12', bytes);
      await world.settle(300);
      const got = b.received(sb).filter((p) => p.bytes[1] === 52);
      assert.equal(got.length, 1);
      assert.equal(got[0]!.source, a.ipv6LinkLocal);
      assert.equal(got[0]!.destination, 'ff02::12');
      assert.equal(got[0]!.ttl, 255);
      assert.equal(got[0]!.family, 6);
      await a.close(sa);
      await b.close(sb);
    },
  },
  {
    name: 'unicast IPv4 between peers, both ways: delivered with the peer as destination; a closed channel hears nothing',
    async check(world) {
      const { a, b } = world;
      const sa = await a.open({ ...v4, sourceAddress: a.ipv4, unicastPeers: [b.ipv4] });
      const sb = await b.open({ ...v4, sourceAddress: b.ipv4, unicastPeers: [a.ipv4] });
      await a.send(sa, b.ipv4, marker(2));
      await b.send(sb, a.ipv4, marker(6));
      await world.settle(300);
      const got = b.received(sb).filter((p) => hex(p.bytes) === hex(marker(2)));
      assert.equal(got.length, 1);
      assert.equal(got[0]!.destination, b.ipv4);
      assert.equal(got[0]!.source, a.ipv4);
      const back = a.received(sa).filter((p) => hex(p.bytes) === hex(marker(6)));
      assert.equal(back.length, 1);
      assert.equal(back[0]!.destination, a.ipv4);
      assert.equal(back[0]!.source, b.ipv4);
      await b.close(sb);
      const before = b.received(sb).length;
      await a.send(sa, b.ipv4, marker(3));
      await world.settle(300);
      assert.equal(b.received(sb).length, before);
      await a.close(sa);
    },
  },
  {
    name: 'primary addresses and link state: the configured IPv4 address, the IPv6 link-local, up',
    async check({ a }) {
      assert.equal(await a.primaryAddress('eth0', 4), a.ipv4);
      assert.equal(await a.primaryAddress('eth0', 6), a.ipv6LinkLocal);
      assert.equal(await a.isUp('eth0'), true);
      for (const address of [a.ipv4, a.ipv6, a.ipv6LinkLocal]) assert.equal(copies(await a.held('eth0'), address), 1, `${address} is held`);
    },
  },
  {
    name: 'add twice: held once, the primary address unchanged; remove twice: gone, the rest untouched',
    async check({ a }) {
      const before = (await a.held('eth0')).sort();
      const vip = { address: '192.168.77.222', prefix: 26, family: 4 as const, interface: 'eth0' };
      await a.addAddress(vip);
      await a.addAddress(vip);
      assert.equal(copies(await a.held('eth0'), vip.address), 1);
      assert.equal(await a.primaryAddress('eth0', 4), a.ipv4, 'a VIP does not become the primary address');
      await a.removeAddress(vip);
      await a.removeAddress(vip);
      assert.deepEqual((await a.held('eth0')).sort(), before);
      const vip6 = { address: 'fd77::1:222', prefix: 64, family: 6 as const, interface: 'eth0' };
      await a.addAddress(vip6);
      await a.addAddress(vip6);
      assert.equal(copies(await a.held('eth0'), vip6.address), 1);
      await a.removeAddress(vip6);
      assert.deepEqual((await a.held('eth0')).sort(), before);
    },
  },
  {
    name: 'an address added twice is gone after one remove (adds are not counted)',
    async check({ a }) {
      const vip = { address: '192.168.77.223', prefix: 26, family: 4 as const, interface: 'eth0' };
      await a.addAddress(vip);
      await a.addAddress(vip);
      await a.removeAddress(vip);
      assert.equal(copies(await a.held('eth0'), vip.address), 0);
    },
  },
  {
    name: 'removing an address that is not there changes nothing',
    async check({ a }) {
      const before = (await a.held('eth0')).sort();
      await a.removeAddress({ address: '192.168.77.224', prefix: 26, family: 4, interface: 'eth0' });
      await a.removeAddress({ address: 'fd77::1:224', prefix: 64, family: 6, interface: 'eth0' });
      assert.deepEqual((await a.held('eth0')).sort(), before);
    },
  },
  {
    name: 'a held VIP is reachable: unicast to it arrives; once removed, nothing arrives',
    async check(world) {
      const { a, b } = world;
      const vip = { address: '192.168.77.225', prefix: 26, family: 4 as const, interface: 'eth0' };
      const sa = await a.open({ ...v4, sourceAddress: a.ipv4, unicastPeers: [b.ipv4] });
      const sb = await b.open({ ...v4, sourceAddress: b.ipv4, unicastPeers: [vip.address] });
      const arrived = (n: number) => a.received(sa).filter((p) => hex(p.bytes) === hex(marker(n)));
      try {
        await a.addAddress(vip);
        await a.addAddress(vip);
        await b.send(sb, vip.address, marker(4));
        await world.until(() => arrived(4).length > 0, 'a packet to the VIP');
        assert.equal(arrived(4)[0]!.destination, vip.address);
        await a.removeAddress(vip);
        await b.send(sb, vip.address, marker(5));
        await world.settle(300);
        assert.equal(arrived(5).length, 0, 'a removed VIP still receives');
      } finally {
        await a.removeAddress(vip);
        await a.close(sa);
        await b.close(sb);
      }
    },
  },
  {
    name: 'link down and up: isUp follows and link events are published',
    async check(world) {
      const { a } = world;
      await a.setLink(false);
      await world.settle(300);
      assert.equal(await a.isUp('eth0'), false);
      assert.ok(a.linkEvents().some((e) => e.interface === 'eth0' && !e.up));
      await a.setLink(true);
      await world.settle(300);
      assert.equal(await a.isUp('eth0'), true);
      assert.ok(a.linkEvents().some((e) => e.interface === 'eth0' && e.up));
    },
  },
  {
    name: 'an interface deleted and created again: the channel is unusable while it is gone, then, refreshed, hears and sends on the new one',
    async check(world) {
      const { a, b } = world;
      const sa = await a.open({ ...v4, sourceAddress: a.ipv4 });
      const sb = await b.open({ ...v4, sourceAddress: b.ipv4 });
      const heard = (host: typeof a, channel: number, n: number) => host.received(channel).filter((p) => hex(p.bytes) === hex(marker(n))).length;
      try {
        await a.deleteInterface();
        assert.equal(await a.refresh(sa), false, 'usable with its interface gone');
        assert.equal(await a.isUp('eth0'), false);
        await a.createInterface();
        assert.equal(await a.refresh(sa), true, 'not bound to the new interface');
        await world.until(() => a.linkEvents().some((e) => e.interface === 'eth0' && e.up) && heard(a, sa, 7) > 0, 'b heard on the new interface', () =>
          b.send(sb, '224.0.0.18', marker(7)),
        );
        await world.until(() => heard(b, sb, 8) > 0, 'a heard from the new interface', () => a.send(sa, '224.0.0.18', marker(8)));
        assert.equal(await a.primaryAddress('eth0', 4), a.ipv4);
      } finally {
        await a.close(sa);
        await b.close(sb);
      }
    },
  },
];
