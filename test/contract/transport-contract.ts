/** The one contract suite for VrrpLink and AddressManager, run by sim and real test files on their worlds. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { ContractWorld } from './contract-world.js';

const marker = (n: number): Uint8Array => Uint8Array.from([0x31, 51, 100, 1, 0x00, 0x64, 0, 0, 192, 168, 77, n]);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function runTransportContract(t: TestContext, world: ContractWorld): Promise<void> {
  const { a, b } = world;
  const v4 = { interface: 'eth0', family: 4 as const, unicastPeers: [] as string[] };

  await t.test('multicast IPv4: bytes, source, destination, TTL 255, interface; no loopback to the sender', async () => {
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
  });

  await t.test('multicast IPv6: link-local source, ff02::12, hop limit 255', async () => {
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
  });

  await t.test('unicast IPv4 to a peer: delivered with the peer as destination; a closed channel hears nothing', async () => {
    const sa = await a.open({ ...v4, sourceAddress: a.ipv4, unicastPeers: [b.ipv4] });
    const sb = await b.open({ ...v4, sourceAddress: b.ipv4, unicastPeers: [a.ipv4] });
    await a.send(sa, b.ipv4, marker(2));
    await world.settle(300);
    const got = b.received(sb).filter((p) => hex(p.bytes) === hex(marker(2)));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.destination, b.ipv4);
    assert.equal(got[0]!.source, a.ipv4);
    await b.close(sb);
    const before = b.received(sb).length;
    await a.send(sa, b.ipv4, marker(3));
    await world.settle(300);
    assert.equal(b.received(sb).length, before);
    await a.close(sa);
  });

  await t.test('addresses: add and remove are idempotent; primary address; link up', async () => {
    const vip = { address: '192.168.77.222', prefix: 26, family: 4 as const, interface: 'eth0' };
    assert.equal(await a.primaryAddress('eth0', 4), a.ipv4);
    assert.equal(await a.primaryAddress('eth0', 6), a.ipv6LinkLocal);
    assert.equal(await a.isUp('eth0'), true);
    await a.addAddress(vip);
    await a.addAddress(vip);
    assert.equal((await a.addressesOn('eth0')).filter((x) => x === vip.address).length, 1);
    // The primary address does not change because of a VIP.
    assert.equal(await a.primaryAddress('eth0', 4), a.ipv4);
    await a.removeAddress(vip);
    await a.removeAddress(vip);
    assert.ok(!(await a.addressesOn('eth0')).includes(vip.address));
    const vip6 = { address: 'fd77::1:222', prefix: 64, family: 6 as const, interface: 'eth0' };
    await a.addAddress(vip6);
    assert.ok((await a.addressesOn('eth0')).includes(vip6.address));
    await a.removeAddress(vip6);
    assert.ok(!(await a.addressesOn('eth0')).includes(vip6.address));
  });

  await t.test('link down and up: isUp follows and link events are published', async () => {
    await a.setLink(false);
    await world.settle(300);
    assert.equal(await a.isUp('eth0'), false);
    assert.ok(a.linkEvents().some((e) => e.interface === 'eth0' && !e.up));
    await a.setLink(true);
    await world.settle(300);
    assert.equal(await a.isUp('eth0'), true);
    assert.ok(a.linkEvents().some((e) => e.interface === 'eth0' && e.up));
  });
}
