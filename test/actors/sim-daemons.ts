/**
 * vigil daemons (VigilDaemon, VRRP only) on one simulated segment and the virtual clock, each with its own
 * configuration file and log: started, run for a while, read, then stopped and their files removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import type { DaemonLog } from '../../actors/environment.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { advanceSettling } from '../virtual-time.js';

export interface SimDaemonSpec {
  readonly name: string;
  /** Its eth0 address, in 192.168.77.0/24. */
  readonly address: string;
  readonly config: string;
  readonly log: DaemonLog;
}

/** Runs the daemons of `specs` (segment seeded with `seed`) for `ms` of virtual time and returns what `read` says then. */
export async function runSimDaemons<T>(seed: number, specs: readonly SimDaemonSpec[], ms: number, read: (daemons: readonly VigilDaemon[]) => T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-daemons-'));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(seed), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const daemons = specs.map((n) => {
    const host = new SimHost(n.name, 0);
    host.addInterface('eth0', segment, [{ address: n.address, prefix: 24, family: 4 }]);
    const file = join(dir, `${n.name}.conf`);
    writeFileSync(file, n.config);
    return new VigilDaemon({ clock, link: host, addresses: host, announcer: host, processes: new SimulatedProcessRunner(clock), log: n.log, pid: 1 }, { configFile: file, nodeName: n.name, vrrpOnly: true });
  });
  try {
    for (const d of daemons) await d.start();
    await advanceSettling(clock, ms);
    return read(daemons);
  } finally {
    for (const d of daemons) {
      const stopping = d.stop();
      await advanceSettling(clock, 1000);
      await stopping;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
