/**
 * One contract suite for every LoadBalancerBackend (docs/design.md: a transport contract runs against its real and
 * simulated implementations alike): the simulated backend, IPVS over a stand-in kernel, and nftables for real in
 * a network namespace.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressService, DesiredState } from '../../machines/desired-state.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';
import { natDestination, webService } from './fixtures.js';

const web: AddressService = webService('rr', [natDestination(67, 8080, 1), natDestination(68, 8080, 1), natDestination(69, 8080, 0)]);
const one: DesiredState = { services: [web] };
const two: DesiredState = {
  services: [
    { ...web, scheduler: 'wrr', destinations: web.destinations.map((d, i) => ({ ...d, weight: i + 1 })) },
    { kind: 'fwmark', key: 'fw', protocol: 'udp', family: 4, fwmark: 5, scheduler: 'sh', destinations: [{ address: '192.168.77.70', port: 0, weight: 1, forwarding: 'NAT' }] },
  ],
};

async function contract(t: TestContext, backend: LoadBalancerBackend): Promise<void> {
  const first = await backend.apply(one);
  assert.equal(first.backend, backend.name);
  assert.equal(first.changed, true);
  assert.equal(first.services, 1);
  assert.equal(first.liveDestinations, 2);

  const again = await backend.apply(one);
  assert.equal(again.changed, false, 'idempotent');
  assert.equal(again.operations, 0);

  const next = await backend.apply(two);
  assert.equal(next.changed, true);
  assert.equal(next.services, 2);
  assert.equal(next.liveDestinations, 4);

  await assert.rejects(backend.apply({ services: [web, { ...web, key: 'copy' }] }), /duplicate/);
  assert.equal((await backend.apply(two)).changed, false, 'a refused state changed nothing');

  await backend.clear();
  await backend.clear();
  assert.equal((await backend.apply(two)).changed, true, 'after clear() the state is applied again');
  await backend.clear();
  t.diagnostic(`${backend.name}: contract holds`);
}

test('contract: simulated backend', async (t) => {
  await contract(t, new SimulatedBackend(new VirtualClock()));
});

test('contract: IPVS backend (stand-in kernel)', async (t) => {
  const kernel = new FakeIpvsKernel();
  await contract(t, new IpvsBackend(kernel));
  assert.equal(kernel.services.size, 0);
});

test('contract: nftables backend (namespace)', async (t) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'lbctr', hosts: ['director'], v4Prefix: '192.168.77.X' });
  try {
    const runner = new ExecNftRunner({ netns: lan.host('director').ns });
    await contract(t, new NftablesBackend({ runner }));
    assert.equal((await runner.run(['list', 'tables'])).stdout, '');
  } finally {
    await lan.cleanup();
  }
});
