/**
 * A VigilDaemon for node lb1 on the simulator's transports, as the daemon tests set one up: its configuration in a
 * directory of its own, a SimHost with eth0 (192.168.77.11/24) on a LAN segment, virtual time, scripts that exit 0
 * at once, warnings collected. A test adds what it looks at (scheduling hooks, a checker side, a process runner of
 * its own …) through `environment`, and more hosts on `segment`. No root, no real network.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon, type DaemonEnvironment, type DaemonLog, type DaemonOptions } from '../../actors/daemon/daemon.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { advanceSettling } from '../virtual-time.js';

/** What the daemon runs on, for a test's additions to its environment. */
export interface SimulatedWorld {
  readonly clock: VirtualClock;
  /** eth0's LAN: no loss, 1 ms latency. */
  readonly segment: LanSegment;
  readonly host: SimHost;
  /** The daemon's directory (removed by remove / close). */
  readonly dir: string;
  /** The configuration file, in `dir`. */
  readonly file: string;
  /** The daemon's log: warnings go to `warnings`, the rest nowhere. */
  readonly log: DaemonLog;
}

export interface SimulatedDaemonSetUp {
  /** Transports and hooks besides (or in place of) the simulated ones. */
  readonly environment?: (world: SimulatedWorld) => Partial<DaemonEnvironment>;
  /** Daemon options besides the configuration file and the node name. */
  readonly options?: Omit<DaemonOptions, 'configFile' | 'nodeName'>;
}

export interface SimulatedDaemon extends SimulatedWorld {
  readonly daemon: VigilDaemon;
  /** What the daemon logged as warnings, in order. */
  readonly warnings: string[];
  /** Writes the configuration file (for a reload). */
  write(text: string): void;
  /** Runs virtual time, promise callbacks between timers (../virtual-time.ts). */
  advance(ms: number): Promise<void>;
  /** Stops the daemon, virtual time running meanwhile (a stop waits for the scripts it starts). */
  stop(): Promise<void>;
  /** Removes the directory (once the daemon is stopped, or was never started). */
  remove(): void;
  /** Stops the daemon, then removes the directory. */
  close(): Promise<void>;
}

/** The daemon, not started; `config` is the configuration's text, or made from the directory it will be in. */
export function simulatedDaemon(config: string | ((dir: string) => string), setUp: SimulatedDaemonSetUp = {}): SimulatedDaemon {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-simulated-daemon-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, typeof config === 'string' ? config : config(dir));
  const clock = new VirtualClock();
  // No loss, jitter or reordering: the segment's random stream is never drawn from.
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const warnings: string[] = [];
  const log: DaemonLog = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
  const world: SimulatedWorld = { clock, segment, host, dir, file, log };
  const daemon = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes: { run: async () => ({ kind: 'exited', code: 0 }) },
      log,
      pid: 1000,
      ...setUp.environment?.(world),
    },
    { ...setUp.options, configFile: file, nodeName: 'lb1' },
  );
  const advance = (ms: number): Promise<void> => advanceSettling(clock, ms);
  const stop = async (): Promise<void> => {
    let stopped = false;
    const stopping = daemon.stop().finally(() => (stopped = true));
    while (!stopped) await advance(100);
    await stopping;
  };
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  return {
    ...world,
    daemon,
    warnings,
    write: (text) => writeFileSync(file, text),
    advance,
    stop,
    remove,
    async close() {
      try {
        await stop();
      } finally {
        remove();
      }
    },
  };
}

/**
 * The configuration most of these tests run: global_defs holding `globals` (lines as written), then VI_1 (BACKUP on
 * eth0, VRID 51, 192.168.77.100/24) with `lines` (as written, each ending in a newline) after its priority. The
 * layout is fixed: priority is on line 7 plus the number of `globals` lines (tests name file:line in errors).
 */
export function instanceConfig(globals: string, o: { readonly priority?: string; readonly lines?: string } = {}): string {
  return `
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${o.priority ?? '100'}
${o.lines ?? ''}    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
}
`;
}
