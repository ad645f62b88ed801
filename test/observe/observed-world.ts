/**
 * Two vigil daemons (VigilDaemon, the composition root of `vigil run`) on simulated transports, no root needed:
 * hosts on one LAN segment, the virtual clock advanced by the test, and one inspection stream fed by both
 * daemons' actors and buses. lb1 (priority 150) becomes MASTER; lb2 (100, tracking an always-good vrrp_script)
 * stays BACKUP until lb1 fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { InspectionEvent } from 'xstate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { ObservationServer } from '../../observe/http-server.js';
import { DaemonMetrics } from '../../observe/metrics.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { ProcessRunner } from '../../transport/process-runner.js';
import { advanceSettling } from '../virtual-time.js';

const CONFIG = (priority: number, script: boolean): string => `
${script ? `vrrp_script chk_up {
    script "/bin/true"
    interval 2
}
` : ''}vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
${script ? '    track_script {\n        chk_up weight 5\n    }\n    notify /etc/vigil/notify.sh\n' : ''}}
`;

export interface ObservedWorld {
  readonly clock: VirtualClock;
  readonly stream: InspectionStream;
  readonly daemons: ReadonlyMap<string, VigilDaemon>;
  readonly hosts: ReadonlyMap<string, SimHost>;
  /** Starts both daemons (subscribe to `stream` first to see their first records). */
  start(): Promise<void>;
  /** Advances virtual time, letting promise callbacks (address changes, script outcomes) run between timers. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface PairOptions {
  readonly clock?: VirtualClock;
  /** Another `inspect` for a node's actors than the world's stream (e.g. an Observation's). */
  readonly inspectors?: Readonly<Record<string, (event: InspectionEvent) => void>>;
}

export async function observedPair(options: PairOptions = {}): Promise<ObservedWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-observe-'));
  const clock = options.clock ?? new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(7), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const stream = new InspectionStream(clock);
  const runner: ProcessRunner = { run: () => new Promise((resolve) => clock.setTimeout(() => resolve({ kind: 'exited', code: 0 }), 5)) };
  const daemons = new Map<string, VigilDaemon>();
  const hosts = new Map<string, SimHost>();
  for (const [index, name, priority] of [[0, 'lb1', 150], [1, 'lb2', 100]] as const) {
    const host = new SimHost(name, index);
    host.addInterface('eth0', segment, [{ address: `192.168.77.${11 + index}`, prefix: 24, family: 4 }]);
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, CONFIG(priority, name === 'lb2'));
    const daemon = new VigilDaemon(
      { clock, link: host, addresses: host, announcer: host, processes: runner, log: quiet, pid: 1000 + index, inspect: options.inspectors?.[name] ?? stream.inspector(name) },
      { configFile: file, nodeName: name },
    );
    stream.attachBus(daemon.bus);
    daemons.set(name, daemon);
    hosts.set(name, host);
  }
  const advance = (ms: number): Promise<void> => advanceSettling(clock, ms);
  return {
    clock,
    stream,
    daemons,
    hosts,
    async start() {
      for (const d of daemons.values()) await d.start();
    },
    advance,
    async close() {
      // A stop waits for the notify scripts it starts, which take virtual time: the clock goes on meanwhile.
      for (const d of daemons.values()) {
        let stopped = false;
        const stopping = d.stop().then(() => (stopped = true));
        while (!stopped) await advance(100);
        await stopping;
      }
      stream.complete();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ObservedServer {
  /** The server's base URL, ending in `/`. */
  readonly url: string;
  /** Closes the server and the metrics (not the world). */
  close(): Promise<void>;
}

/** lb2 of `world` served over HTTP on loopback: /metrics, /status and the page with the world's stream. */
export async function serveLb2(world: ObservedWorld, title: string): Promise<ObservedServer> {
  const lb2 = world.daemons.get('lb2')!;
  const metrics = new DaemonMetrics({ node: 'lb2', status: () => lb2.status() }, world.stream);
  const server = new ObservationServer({
    host: '127.0.0.1',
    port: 0,
    title,
    clock: world.clock,
    stream: world.stream,
    metrics,
    status: () => lb2.status(),
  });
  const { url } = await server.listen();
  return {
    url,
    async close() {
      await server.close();
      metrics.close();
    },
  };
}
