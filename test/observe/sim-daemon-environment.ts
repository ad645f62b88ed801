/** The environment of a VigilDaemon on a simulated host for the observe tests. Only exports. */
import type { DaemonEnvironment } from '../../actors/environment.js';
import type { SimHost } from '../../sim/sim-host.js';
import type { VirtualClock } from '../../sim/virtual-clock.js';

/** `host` as link, address manager and announcer; every script exits 0 at once; nothing logged. */
export function simDaemonEnvironment(clock: VirtualClock, host: SimHost, pid: number): DaemonEnvironment {
  return {
    clock,
    link: host,
    addresses: host,
    announcer: host,
    processes: { run: () => Promise.resolve({ kind: 'exited', code: 0 }) },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    pid,
  };
}
