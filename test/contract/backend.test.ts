/**
 * The LoadBalancerBackend contract (backend-contract.ts) on the simulated backend, on IPVS over a stand-in kernel
 * (the kernel here has no IPVS), and on nftables for real in a network namespace; broken backends must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveDestinations, type DesiredState } from '../../machines/desired-state.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import { formatIp } from '../../protocol/ip.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';
import { FakeIpvsKernel } from '../lb/fake-ipvs-kernel.js';
import { failingCases, runContract } from './contract.js';
import { backendContract, type BackendRig } from './backend-contract.js';

const sorted = (list: string[]): string[] => list.sort();

function simRig(wrap: (inner: SimulatedBackend) => LoadBalancerBackend = (b) => b): BackendRig {
  const inner = new SimulatedBackend(new VirtualClock());
  return {
    backend: wrap(inner),
    live: async () => sorted(inner.current.services.flatMap((s) => liveDestinations(s).map((d) => `${d.address}:${d.port}`))),
    leftovers: async () => inner.current.services.length > 0,
  };
}

test('backend contract: simulated backend', async (t) => {
  await runContract(t, backendContract, () => simRig());
});

test('backend contract: IPVS backend (stand-in kernel)', async (t) => {
  await runContract(t, backendContract, () => {
    const kernel = new FakeIpvsKernel();
    return {
      backend: new IpvsBackend(kernel),
      // IPVS keeps a destination of weight 0 (quiescent): it takes no new connections.
      live: async () =>
        sorted([...kernel.services.values()].flatMap((s) => [...s.dests.values()].filter((d) => d.weight > 0).map((d) => `${formatIp(d.address)}:${d.port}`))),
      leftovers: async () => kernel.services.size > 0,
    };
  });
});

test('backend contract: nftables backend (namespace)', async (t) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'lbctr', hosts: ['director'], v4Prefix: '192.168.77.X' });
  try {
    const runner = new ExecNftRunner({ netns: lan.host('director').ns });
    const ruleset = async () => (await runner.run(['list', 'ruleset'])).stdout;
    await runContract(t, backendContract, () => ({
      backend: new NftablesBackend({ runner }),
      // Every DNAT target in the kernel's rule set: a map's elements ("0 : 192.168.77.67 . 8080") or one address.
      async live() {
        const out: string[] = [];
        for (const line of (await ruleset()).split('\n')) {
          const dnat = /dnat (?:ip6? )?to /.exec(line);
          if (dnat === null) continue;
          const targets = line.includes(' map {') ? line.slice(line.indexOf(' map {')) : line.slice(dnat.index);
          for (const m of targets.matchAll(/(\d+\.\d+\.\d+\.\d+)(?: \. (\d+))?/g)) out.push(`${m[1]}:${m[2] ?? 0}`);
        }
        return sorted(out);
      },
      leftovers: async () => (await runner.run(['list', 'tables'])).stdout.trim() !== '',
    }));
  } finally {
    await lan.cleanup();
  }
});

/** The simulated backend with one fault. */
function broken(fault: 'stale' | 'credulous' | 'sticky') {
  return (inner: SimulatedBackend): LoadBalancerBackend => {
    let applied = false;
    return {
      name: inner.name,
      async apply(state: DesiredState) {
        // 'stale': once something is applied, it reports the new state but keeps the old one.
        if (fault === 'stale' && applied) return { ...(await new SimulatedBackend(new VirtualClock()).apply(state)), changed: true };
        // 'credulous': takes a state with duplicate keys by dropping the copies.
        const same = (s: DesiredState['services'][number]): string => JSON.stringify({ ...s, key: '' });
        const taken = fault === 'credulous' ? { services: state.services.filter((s, i) => state.services.findIndex((o) => same(o) === same(s)) === i) } : state;
        applied = true;
        return inner.apply(taken);
      },
      // 'sticky': clear() forgets to remove anything.
      clear: async () => {
        applied = false;
        if (fault !== 'sticky') await inner.clear();
      },
    };
  };
}

test('backend contract: broken backends fail it', async () => {
  const failing = (fault: Parameters<typeof broken>[0]) => failingCases(backendContract, () => simRig(broken(fault)));
  const name = (start: string) => backendContract.find((c) => c.name.startsWith(start))!.name;
  assert.ok((await failing('stale')).includes(name('a new state replaces the old')));
  assert.ok((await failing('credulous')).includes(name('an invalid state')));
  assert.ok((await failing('sticky')).includes(name('clear() removes all')));
  assert.deepEqual(await failingCases(backendContract, () => simRig()), []);
});
