/**
 * Maglev consistent hashing (issue 18, lb_algo mh): the lookup table's build time for 1,000 backends × 65,537
 * slots, the nftables programming time of that table (render, and render + `nft -f` in a network namespace), and
 * the share of flows a server's loss moves, against the theoretical 1/N.
 */
import { performance } from 'node:perf_hooks';
import { buildMaglevTable, maglevDisruption, maglevTableSize, type MaglevBackend } from '../protocol/maglev.js';
import type { AddressService } from '../machines/desired-state.js';
import { renderNftRuleset } from '../transport/lb/nftables-ruleset.js';
import { withNftDirector } from './tools/nft-director.js';
import { maglevFlowPicker } from '../transport/lb/maglev-flows.js';
import { clientFlows } from '../sim/ecmp-router.js';
import { SeededRandom } from '../sim/seeded-random.js';

const BACKENDS = 1000;
const SLOTS = 65_537;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** 1,000 backends: 10.x.y.z would leave the test range, so 192.168.77.0/24 on 4 ports (250 addresses × 4). */
function backends(n: number): MaglevBackend[] {
  return Array.from({ length: n }, (_, i) => ({ name: `192.168.77.${1 + (i % 250)}:${8080 + Math.floor(i / 250)}`, weight: 1 }));
}

function service(n: number, size: number, without?: number): AddressService {
  const destinations = backends(n)
    .filter((_, i) => i !== without)
    .map((b) => {
      const [address, port] = b.name.split(':');
      return { address: address!, port: Number(port), weight: 1, forwarding: 'NAT' as const };
    });
  return { kind: 'address', key: 'maglev', protocol: 'tcp', family: 4, address: '192.168.77.254', port: 80, scheduler: 'mh', schedulerFlags: ['flag-2'], hashTableSize: size, destinations };
}

function benchBuild(): void {
  const pool = backends(BACKENDS);
  const times: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    buildMaglevTable(pool, SLOTS);
    times.push(performance.now() - t0);
  }
  console.log(`Maglev table ${BACKENDS} backends × ${SLOTS} slots: build median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
}

function benchDisruption(): void {
  for (const [n, size] of [[BACKENDS, SLOTS], [BACKENDS, maglevTableSize(BACKENDS)], [4, maglevTableSize(4)], [10, maglevTableSize(10)]] as const) {
    const before = buildMaglevTable(backends(n), size);
    const lost = Math.floor(n / 3);
    const after = buildMaglevTable(backends(n).filter((_, i) => i !== lost), size);
    const slots = maglevDisruption(before, after);
    // The same with client flows hashed as the nftables rule hashes them (5-tuple, jhash, reciprocal_scale).
    const flows = clientFlows(new SeededRandom(18), 100_000, '192.168.77.254', 80, 'tcp');
    const pickBefore = maglevFlowPicker(service(n, size));
    const pickAfter = maglevFlowPicker(service(n, size, lost));
    const moved = flows.filter((f) => pickBefore(f) !== pickAfter(f)).length / flows.length;
    console.log(
      `server loss, N=${n}, M=${size}: slots moved ${(slots * 100).toFixed(3)} %, flows moved ${(moved * 100).toFixed(3)} % of 100,000; 1/N = ${((1 / n) * 100).toFixed(3)} %`,
    );
  }
}

async function benchNftables(): Promise<void> {
  const states = [service(BACKENDS, SLOTS), service(BACKENDS, SLOTS, 500)];
  const renders: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 6; k++) {
    // A fresh service object each time: rendering is cached per object.
    const fresh = { ...states[k % 2]! };
    const t0 = performance.now();
    bytes = renderNftRuleset({ services: [fresh] }).text.length;
    renders.push(performance.now() - t0);
  }
  console.log(`nftables render of the ${SLOTS}-slot map (${BACKENDS} servers): median ${median(renders).toFixed(1)} ms (${(bytes / 1024 / 1024).toFixed(2)} MiB of rules)`);
  await withNftDirector('ecmpbench', async (backend) => {
    const applies: number[] = [];
    for (let k = 0; k < 4; k++) {
      const t0 = performance.now();
      const report = await backend.apply({ services: [{ ...states[k % 2]! }] });
      if (!report.changed) throw new Error('expected a change');
      applies.push(performance.now() - t0);
    }
    console.log(
      `nftables render + nft -f of the ${SLOTS}-slot map: median ${median(applies).toFixed(0)} ms (min ${Math.min(...applies).toFixed(0)}, max ${Math.max(...applies).toFixed(0)})`,
    );
  });
}

export async function run(): Promise<void> {
  benchBuild();
  benchDisruption();
  await benchNftables();
}
