import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { IPVS_UNAVAILABLE, IpvsBackend, probeIpvs } from '../../transport/real/lb/ipvs-backend.js';
import type { AddressService, DesiredState } from '../../machines/desired-state.js';
import { BackendUnavailableError } from '../../transport/lb/load-balancer.js';
import { IPVS_CMD, type IpvsService } from '../../protocol/ipvs-messages.js';
import { SocketGenlChannel } from '../../transport/real/lb/genl-channel.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';
import { natDestination, webService } from './fixtures.js';

const web: AddressService = webService('wrr', [natDestination(67, 8080, 1), natDestination(68, 8080, 2), natDestination(69, 8080, 3)], { sorry: natDestination(70, 8080, 1) });
const state: DesiredState = {
  services: [web, { kind: 'fwmark', key: 'fw', protocol: 'tcp', family: 4, fwmark: 9, scheduler: 'fo', destinations: [] }],
};

const weights = (k: FakeIpvsKernel, key = '2/6/c0a84d64/80'): Record<string, number> =>
  Object.fromEntries([...(k.services.get(key)?.dests.values() ?? [])].map((d) => [d.address.join('.'), d.weight]));

test('apply creates services and destinations, and a second apply changes nothing', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const first = await backend.apply(state);
  assert.equal(first.changed, true);
  assert.equal(first.operations, 2 + 3);
  assert.deepEqual(weights(kernel), { '192.168.77.67': 1, '192.168.77.68': 2, '192.168.77.69': 3 });
  assert.equal(kernel.services.size, 2);
  const second = await backend.apply(state);
  assert.equal(second.changed, false);
  assert.equal(second.operations, 0);
});

test('weights, removals and scheduler changes become SET/DEL messages', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  await backend.apply(state);
  kernel.commands.length = 0;
  const changed: AddressService = {
    ...web,
    scheduler: 'wlc',
    destinations: [{ ...web.destinations[0]!, weight: 5 }, web.destinations[1]!],
  };
  const report = await backend.apply({ services: [changed] });
  assert.deepEqual(weights(kernel), { '192.168.77.67': 5, '192.168.77.68': 2 });
  assert.equal(kernel.services.get('2/6/c0a84d64/80')?.service.scheduler, 'wlc');
  assert.equal(kernel.services.size, 1, 'the fwmark service vigil created is gone');
  const sent = kernel.commands.filter((c) => c !== IPVS_CMD.GET_SERVICE && c !== IPVS_CMD.GET_DEST).sort();
  assert.deepEqual(sent, [IPVS_CMD.SET_SERVICE, IPVS_CMD.DEL_SERVICE, IPVS_CMD.SET_DEST, IPVS_CMD.DEL_DEST].sort());
  assert.equal(report.operations, 4);
});

test('the sorry server stands in while no destination has weight, and leaves when one returns', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const down: AddressService = { ...web, destinations: web.destinations.map((d) => ({ ...d, weight: 0 })) };
  const r = await backend.apply({ services: [down] });
  assert.deepEqual(weights(kernel), { '192.168.77.67': 0, '192.168.77.68': 0, '192.168.77.69': 0, '192.168.77.70': 1 });
  assert.equal(r.liveDestinations, 1);
  await backend.apply({ services: [web] });
  assert.deepEqual(weights(kernel), { '192.168.77.67': 1, '192.168.77.68': 2, '192.168.77.69': 3 });
});

test('services vigil did not create survive apply and clear', async () => {
  const kernel = new FakeIpvsKernel();
  const foreign: IpvsService = { af: 2, protocol: 6, address: ipToBytes('192.168.77.200'), port: 22, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff };
  kernel.services.set('2/6/c0a84dc8/22', { service: foreign, dests: new Map() });
  const backend = new IpvsBackend(kernel);
  await backend.apply(state);
  await backend.apply({ services: [] });
  assert.deepEqual([...kernel.services.keys()], ['2/6/c0a84dc8/22']);
  await backend.apply(state);
  await backend.clear();
  assert.deepEqual([...kernel.services.keys()], ['2/6/c0a84dc8/22']);
});

test('an invalid state is refused before any message is sent', async () => {
  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  await assert.rejects(backend.apply({ services: [web, { ...web, key: 'dup' }] }), /duplicate service/);
  assert.deepEqual(kernel.commands, []);
});

test('a kernel without the IPVS family: apply rejects with the clear message', async () => {
  const backend = new IpvsBackend(new FakeIpvsKernel(false));
  await assert.rejects(backend.apply(state), (e: unknown) => e instanceof BackendUnavailableError && e.message === IPVS_UNAVAILABLE);
});

test('this kernel, for real: the IPVS family lookup answers (absent here: the clear message)', async () => {
  const channel = new SocketGenlChannel();
  try {
    // The controller family itself is always there: proves the lookup works, not just that it fails.
    assert.equal(await channel.resolveFamily('nlctrl'), 0x10);
    const probe = await probeIpvs(channel);
    if (existsSync('/proc/net/ip_vs') || probe.ok) {
      assert.ok(probe.ok && probe.familyId >= 0x10, 'a kernel with IPVS resolves the family');
      return;
    }
    assert.deepEqual(probe, { ok: false, reason: IPVS_UNAVAILABLE });
    const backend = new IpvsBackend(channel);
    await assert.rejects(backend.apply(state), { name: 'BackendUnavailableError', message: IPVS_UNAVAILABLE });
  } finally {
    channel.close();
  }
});
