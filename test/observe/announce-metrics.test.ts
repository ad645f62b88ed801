/**
 * announce_table made visible, and the daemon's stop: a VigilDaemon (simulated transports, virtual time) whose
 * VRRP instance announces its address while MASTER. `vigil status` (both forms) and /metrics
 * (vigil_announced{vip,table}) say it is announced; at stop the route is withdrawn and the announcer closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import type { DaemonEnvironment } from '../../actors/environment.js';
import { formatStatus } from '../../actors/status.js';
import { formatStatusTable } from '../../actors/status-table.js';
import { DaemonMetrics } from '../../observe/metrics.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedRouteAnnouncer } from '../../sim/simulated-route-announcer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { advanceSettling } from '../virtual-time.js';
import { simDaemonEnvironment } from './sim-daemon-environment.js';

interface Family {
  readonly name: string;
  readonly metrics: readonly { readonly labels?: Record<string, string>; readonly value?: string }[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const CONFIG = `
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    announce_table 100
    virtual_ipaddress {
        192.168.77.100/24
    }
}
`;

/**
 * lb1's daemon of `config` on the virtual clock `clock`, announcing to a SimulatedRouteAnnouncer; `more` adds to
 * its environment (given the announcer).
 */
async function daemonWith(
  config: string,
  t: { after(fn: () => unknown): void },
  more: (routes: SimulatedRouteAnnouncer) => Partial<DaemonEnvironment> = () => ({}),
  clock = new VirtualClock(),
) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-announce-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const segment = new LanSegment('eth0', clock, new SeededRandom(5), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const file = join(dir, 'lb1.conf');
  writeFileSync(file, config);
  const routes = new SimulatedRouteAnnouncer(clock, 'lb1');
  const daemon = new VigilDaemon(
    { ...simDaemonEnvironment(clock, host, 2000), routeAnnouncer: routes, ...more(routes) },
    { configFile: file, nodeName: 'lb1' },
  );
  return { clock, routes, daemon, file };
}

/** Stops the daemon, the clock going on meanwhile. */
async function stop(daemon: VigilDaemon, clock: VirtualClock): Promise<void> {
  let stopped = false;
  const stopping = daemon.stop().then(() => (stopped = true));
  while (!stopped) await advanceSettling(clock, 100);
  await stopping;
}

test('a reload that removes announce_table withdraws, one that changes the table moves the route, one that keeps it leaves it', async (t) => {
  const { clock, routes, daemon, file } = await daemonWith(CONFIG, t);
  await daemon.start();
  await advanceSettling(clock, 4000);
  assert.deepEqual(routes.table(), ['192.168.77.100 table 100']);
  const reload = async (text: string): Promise<void> => {
    writeFileSync(file, text);
    let done = false;
    const reloading = daemon.reload().then((r) => ((done = true), r));
    while (!done) await advanceSettling(clock, 10);
    assert.equal((await reloading).ok, true);
  };
  const announcedBefore = routes.table();
  await reload(`${CONFIG}
! a comment: nothing changes
`);
  assert.deepEqual(routes.table(), announcedBefore);
  await reload(CONFIG.replace('announce_table 100', 'announce_table 101'));
  assert.deepEqual(routes.table(), ['192.168.77.100 table 101']);
  await reload(CONFIG.replace('announce_table 100', ''));
  assert.deepEqual(routes.table(), []);
  assert.equal(daemon.status().instances[0]?.state, 'MASTER', 'the instance itself is untouched by the keyword');
  await stop(daemon, clock);
});

test('announce_table in vigil status and /metrics, and withdrawn at stop', async (t) => {
  let closed = 0;
  const clock = new VirtualClock();
  const stream = new InspectionStream(clock);
  const inspected = (routes: SimulatedRouteAnnouncer): Partial<DaemonEnvironment> => ({
    inspect: stream.inspector('lb1'),
    routeAnnouncer: { announce: (r) => routes.announce(r), withdraw: (r) => routes.withdraw(r), close: () => (closed++, routes.close()) },
  });
  const { routes, daemon } = await daemonWith(CONFIG, t, inspected, clock);
  stream.attachBus(daemon.bus);
  const metrics = new DaemonMetrics({ node: 'lb1', status: () => daemon.status() }, stream);
  t.after(() => metrics.close());
  await daemon.start();
  const value = async (): Promise<number | undefined> => {
    const sample = parsePrometheus(await metrics.render())
      .find((f) => f.name === 'vigil_announced')
      ?.metrics.find((m) => m.labels?.['vip'] === '192.168.77.100' && m.labels['table'] === '100');
    return sample?.value === undefined ? undefined : Number(sample.value);
  };
  assert.equal(await value(), 0, 'BACKUP at first: not announced');
  assert.deepEqual(routes.table(), []);
  await advanceSettling(clock, 4000);
  assert.deepEqual(routes.table(), ['192.168.77.100 table 100']);
  assert.equal(await value(), 1);
  const status = daemon.status();
  assert.deepEqual(status.announced, [{ owner: 'vrrp_instance VI_1', vip: '192.168.77.100', table: 100, announced: true }]);
  assert.match(formatStatusTable(status), /^announced 192\.168\.77\.100 table 100 \(vrrp_instance VI_1\)$/m);
  assert.match(formatStatus(status), /^announced 192\.168\.77\.100 table 100/m);
  await stop(daemon, clock);
  assert.deepEqual(routes.table(), []);
  assert.equal(closed, 1, 'the announcer (the real one: its TUN device) is closed at the end of the stop');
});
