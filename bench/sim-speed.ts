/**
 * Simulation speed (issue: VRRP core): a 3-router VRID for 24 simulated hours (goal < 1 s of wall time) and
 * 255 VRIDs × 3 routers for one simulated hour (goal < 30 s). Prints events per second.
 */
import { performance } from 'node:perf_hooks';
import { parseScenario } from '../sim/scenario.js';
import { runSimulation } from '../sim/run.js';

function instances(vrids: number, priority: number): string {
  const out: string[] = [];
  for (let vrid = 1; vrid <= vrids; vrid++) {
    out.push(`vrrp_instance VI_${vrid} {
  interface eth0
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int 1
  version 3
  virtual_ipaddress {
    192.168.${78 + Math.floor(vrid / 200)}.${(vrid % 200) + 1}/32
  }
}`);
  }
  return out.join('\n');
}

function scenario(vrids: number, duration: string): string {
  return JSON.stringify({
    duration,
    network: { latency: '1ms', jitter: '0ms' },
    nodes: {
      r1: { config: instances(vrids, 100), interfaces: { eth0: '192.168.77.11/24' } },
      r2: { config: instances(vrids, 90), interfaces: { eth0: '192.168.77.12/24' } },
      r3: { config: instances(vrids, 80), interfaces: { eth0: '192.168.77.13/24' } },
    },
    // The long run also fails over once and back, so it is not only steady state.
    events: duration === '24h' ? [{ at: '3600s', crash: 'r1' }, { at: '3610s', restart: 'r1' }] : [],
  });
}

function measure(label: string, vrids: number, duration: string, goalMs: number): void {
  const parsed = parseScenario(scenario(vrids, duration), 'bench.json');
  const started = performance.now();
  const result = runSimulation(parsed, { seed: 1 });
  const wallMs = performance.now() - started;
  const rate = result.stats.events / (wallMs / 1000);
  const ok = result.invariants.every((i) => i.ok);
  process.stdout.write(
    `${label}: ${wallMs.toFixed(0)} ms wall (goal < ${goalMs} ms${wallMs < goalMs ? ', met' : ', MISSED'}), ` +
      `${result.stats.events} events, ${Math.round(rate).toLocaleString('en-US')} events/s, ` +
      `${result.stats.packets_sent} packets, invariants ${ok ? 'hold' : 'VIOLATED'}\n`,
  );
}

export async function run(): Promise<void> {
  measure('3 routers × 1 VRID × 24 simulated hours', 1, '24h', 1000);
  measure('3 routers × 255 VRIDs × 1 simulated hour', 255, '1h', 30_000);
}
