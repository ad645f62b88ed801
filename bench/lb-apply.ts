/**
 * Load-balancer backends (issue 5): time to render and apply a 200-service × 10-destination state with
 * nftables in a network namespace (one `nft -f` transaction), and the IPVS message encoding rate.
 */
import { performance } from 'node:perf_hooks';
import type { AddressService, DesiredState } from '../machines/desired-state.js';
import { renderNftRuleset } from '../transport/lb/nftables-ruleset.js';
import { withNftDirector } from './tools/nft-director.js';
import { IpvsBackend } from '../transport/real/lb/ipvs-backend.js';
import { newDestMessage, newServiceMessage } from '../protocol/ipvs-messages.js';
import { toIpvsDest, toIpvsService } from '../transport/real/lb/ipvs-mapping.js';
import { FakeIpvsKernel } from '../test/lb/fake-ipvs-kernel.js';

const SERVICES = 200;
const DESTS = 10;

/** 200 services on one VIP (ports 10000+), 10 destinations each; `salt` varies the weights between states. */
function bigState(salt: number): DesiredState {
  const schedulers = ['rr', 'wrr', 'sh', 'wlc'] as const;
  const services: AddressService[] = [];
  for (let i = 0; i < SERVICES; i++) {
    services.push({
      kind: 'address',
      key: `svc-${i}`,
      protocol: i % 5 === 0 ? 'udp' : 'tcp',
      family: 4,
      address: '192.168.77.100',
      port: 10000 + i,
      scheduler: schedulers[i % schedulers.length]!,
      destinations: Array.from({ length: DESTS }, (_, j) => ({
        address: `192.168.77.${101 + j}`,
        port: 8080,
        weight: 1 + ((i + j + salt) % 5),
        forwarding: 'NAT' as const,
      })),
    });
  }
  return { services };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function benchNftables(): Promise<void> {
  const states = [bigState(0), bigState(1)];
  const renders: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 40; k++) {
    const t0 = performance.now();
    bytes = renderNftRuleset(states[k % 2]!).text.length;
    renders.push(performance.now() - t0);
  }
  console.log(`nftables render ${SERVICES}×${DESTS}: median ${median(renders).toFixed(2)} ms (${(bytes / 1024).toFixed(0)} KiB of rules)`);

  await withNftDirector('lbbench', async (backend) => {
    const applies: number[] = [];
    for (let k = 0; k < 12; k++) {
      const t0 = performance.now();
      const report = await backend.apply(states[k % 2]!);
      if (!report.changed) throw new Error('expected a change');
      applies.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const same = await backend.apply(states[1]!);
    const unchanged = performance.now() - t0;
    console.log(
      `nftables render+apply ${SERVICES}×${DESTS} (one nft -f transaction): median ${median(applies).toFixed(1)} ms, ` +
        `min ${Math.min(...applies).toFixed(1)} ms, max ${Math.max(...applies).toFixed(1)} ms; unchanged state ${unchanged.toFixed(1)} ms (changed=${same.changed})`,
    );
  });
}

async function benchIpvs(): Promise<void> {
  const state = bigState(0);
  const services = state.services.map((s) => ({ s, svc: toIpvsService(s), dests: s.destinations.map((d) => toIpvsDest(d, s)) }));
  let messages = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let round = 0; round < 100; round++) {
    for (const { svc, dests } of services) {
      bytes += newServiceMessage({ familyId: 0x23, seq: messages++ }, svc).length;
      for (const d of dests) bytes += newDestMessage({ familyId: 0x23, seq: messages++ }, svc, d).length;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`IPVS message encoding: ${Math.round(messages / seconds).toLocaleString('en')} messages/s (${messages} messages, avg ${(bytes / messages).toFixed(0)} bytes)`);

  const kernel = new FakeIpvsKernel();
  const backend = new IpvsBackend(kernel);
  const t1 = performance.now();
  const first = await backend.apply(state);
  const t2 = performance.now();
  const second = await backend.apply(state);
  const t3 = performance.now();
  console.log(
    `IPVS reconcile ${SERVICES}×${DESTS} against a stand-in kernel (no IPVS here): first apply ${(t2 - t1).toFixed(1)} ms (${first.operations} messages), ` +
      `unchanged re-apply ${(t3 - t2).toFixed(1)} ms (${second.operations} messages, ${SERVICES + 1} dumps)`,
  );
}

export async function run(): Promise<void> {
  await benchNftables();
  await benchIpvs();
}
