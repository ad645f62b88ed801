/**
 * Issue 18's withdrawal time: SIGKILL to a director's vigil → its path gone from the upstream router's kernel route,
 * with BIRD 2 and with FRR as the speakers, on the demo's namespace topology (test/ecmp/topology.ts: three
 * directors announcing one VIP with announce_table, an upstream with ECMP). Each run kills one director's vigil,
 * waits for the upstream's route to lose that next hop, starts vigil again and waits for the next hop to return.
 * The time is the arrival of the upstream kernel's notification of the changed route (`ip -o monitor route`),
 * confirmed by reading the route.
 * Needs root, nft, bird and FRR; a speaker that is missing is said and skipped.
 */
import { existsSync } from 'node:fs';
import { createEcmpTopology } from '../test/ecmp/topology.js';
import { commandAvailable, netnsAvailable } from '../test/netns/harness.js';
import type { SpeakerKind } from '../test/ecmp/speakers.js';
import { median } from './compare.js';

const RUNS = Number(process.env.VIGIL_BENCH_RUNS ?? 5);

function missing(speaker: SpeakerKind): string | undefined {
  if (speaker === 'bird') return commandAvailable('bird').ok ? undefined : 'bird is not installed';
  return existsSync('/usr/lib/frr/bgpd') && existsSync('/usr/lib/frr/zebra') ? undefined : 'FRR (zebra, bgpd) is not installed';
}

async function withdrawal(speaker: SpeakerKind): Promise<void> {
  const why = missing(speaker);
  if (why !== undefined) {
    console.log(`withdrawal with ${speaker}: skipped (${why})`);
    return;
  }
  const topology = await createEcmpTopology({ speaker });
  try {
    const all = topology.directors.map((d) => d.front);
    const times: number[] = [];
    const watch = topology.watchUpstreamRoutes();
    await new Promise((r) => setTimeout(r, 200)); // the monitor listening
    for (let run = 0; run < RUNS; run++) {
      const d = topology.directors[run % topology.directors.length]!;
      const t0 = performance.now();
      await topology.killVigil(d);
      while ((await topology.upstreamNextHops()).includes(d.front)) {
        if (performance.now() - t0 > 30_000) throw new Error(`${speaker}: ${d.name}'s path still at the upstream 30 s after the SIGKILL`);
      }
      const change = watch.firstAfter(t0);
      if (change === undefined) throw new Error(`${speaker}: the upstream's route changed without a notification`);
      times.push(change.at - t0);
      topology.startVigil(d);
      await topology.waitForNextHops(all, 60_000);
    }
    watch.stop();
    const fmt = (x: number): string => x.toFixed(0);
    console.log(
      `withdrawal with ${speaker} (SIGKILL of vigil → next hop gone at the upstream), ${RUNS} runs: median ${fmt(median(times))} ms, min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))} (hold time ${topology.holdTime} s)`,
    );
  } finally {
    await topology.cleanup();
  }
}

export async function run(): Promise<void> {
  const ns = netnsAvailable();
  if (!ns.ok || !commandAvailable('nft').ok) {
    console.log(`withdrawal: skipped (${ns.ok ? 'nft is not installed' : ns.reason})`);
    return;
  }
  await withdrawal('bird');
  await withdrawal('frr');
}
