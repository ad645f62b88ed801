/**
 * BFD made visible: two daemons (VigilDaemon on simulated transports, the simulated BFD link, virtual time) with a
 * BFD session to each other. Their sessions come Up; a third port on the LAN sends a short packet to 3784, and
 * lb1's link fails. /metrics then has vigil_bfd_session_state{name,neighbor} (RFC 5880 numbers), the transitions
 * Down→Init→Up→Down, the Detection Time and the drop by its reason, equal to what `vigil status` shows, and both
 * forms of `vigil status` list the sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { formatStatus } from '../../actors/status.js';
import { formatStatusTable } from '../../actors/status-table.js';
import { DaemonMetrics } from '../../observe/metrics.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedBfdLink } from '../../sim/simulated-bfd-link.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { advanceSettling } from '../virtual-time.js';
import { simDaemonEnvironment } from './sim-daemon-environment.js';

interface Family {
  readonly name: string;
  readonly metrics: readonly { readonly labels?: Record<string, string>; readonly value?: string }[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

function value(families: Family[], name: string, labels: Record<string, string>): number | undefined {
  const sample = families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

const ADDRESS = { lb1: '192.168.77.11', lb2: '192.168.77.12' } as const;

const config = (name: 'lb1' | 'lb2', peer: 'lb1' | 'lb2'): string => `
bfd_instance to_${peer} {
    neighbor_ip ${ADDRESS[peer]}
    min_rx 100
    min_tx 100
    multiplier 3
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority ${name === 'lb1' ? 150 : 100}
    advert_int 1
    virtual_ipaddress {
        192.168.77.100/24
    }
    track_bfd {
        to_${peer} weight -10
    }
}
`;

test('BFD in vigil status and /metrics: session state, transitions, Detection Time, drops by reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bfd-metrics-'));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(5), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const stream = new InspectionStream(clock);
  const daemons = new Map<string, VigilDaemon>();
  const hosts = new Map<string, SimHost>();
  for (const [index, name, peer] of [[0, 'lb1', 'lb2'], [1, 'lb2', 'lb1']] as const) {
    const host = new SimHost(name, index);
    host.addInterface('eth0', segment, [{ address: ADDRESS[name], prefix: 24, family: 4 }]);
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, config(name, peer));
    const random = new SeededRandom(11 + index);
    const daemon = new VigilDaemon(
      {
        ...simDaemonEnvironment(clock, host, 2000 + index),
        inspect: stream.inspector(name),
        bfd: () => ({ link: new SimulatedBfdLink([host.portOf('eth0')!], random), random }),
      },
      { configFile: file, nodeName: name },
    );
    stream.attachBus(daemon.bus);
    daemons.set(name, daemon);
    hosts.set(name, host);
  }
  const lb1 = daemons.get('lb1')!;
  const metrics = new DaemonMetrics({ node: 'lb1', status: () => lb1.status() }, stream);
  t.after(async () => {
    metrics.close();
    for (const d of daemons.values()) {
      let stopped = false;
      const stopping = d.stop().then(() => (stopped = true));
      while (!stopped) await advanceSettling(clock, 100);
      await stopping;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  for (const d of daemons.values()) await d.start();
  await advanceSettling(clock, 4000);

  let families = parsePrometheus(await metrics.render());
  const labels = { name: 'to_lb2', neighbor: ADDRESS.lb2 };
  assert.equal(value(families, 'vigil_bfd_session_state', labels), 3, 'Up');
  assert.equal(value(families, 'vigil_bfd_detection_time_seconds', labels), 0.3);
  assert.equal(value(families, 'vigil_bfd_transitions_total', { name: 'to_lb2', from: 'Init', to: 'Up' }), 1);
  const up = lb1.status();
  assert.equal(up.bfd?.length, 1);
  assert.equal(up.bfd![0]!.state, 'Up');
  assert.ok(up.bfd![0]!.packets_received > 0 && up.bfd![0]!.packets_sent > 0);
  assert.equal(value(families, 'vigil_bfd_packets_total', { ...labels, direction: 'received' }), up.bfd![0]!.packets_received);
  assert.match(formatStatusTable(up), /^bfd to_lb2 \(192\.168\.77\.12\): Up, detection 300 ms, 2 transitions, sent \d+, received \d+$/m);
  assert.match(formatStatus(up), /^bfd to_lb2 \(192\.168\.77\.12\): Up/m);

  // A packet too short to be BFD control, to lb1's single-hop port, from a third port on the LAN.
  const stranger = segment.attach('stranger', 'eth0');
  stranger.addresses.add('192.168.77.13');
  stranger.send({ family: 4, source: '192.168.77.13', destination: ADDRESS.lb1, ttl: 255, protocol: 17, udp: { sourcePort: 49200, destinationPort: 3784 }, bytes: Uint8Array.of(0x20, 0x40, 3) });
  await advanceSettling(clock, 10);
  // lb1's link fails: its session is Down (Control Detection Time Expired) 300 ms after its last packet.
  hosts.get('lb1')!.setLink('eth0', false);
  await advanceSettling(clock, 1000);

  families = parsePrometheus(await metrics.render());
  assert.equal(value(families, 'vigil_bfd_session_state', labels), 1, 'Down');
  assert.equal(value(families, 'vigil_bfd_transitions_total', { name: 'to_lb2', from: 'Up', to: 'Down' }), 1);
  assert.equal(value(families, 'vigil_bfd_dropped_packets_total', { reason: 'length' }), 1);
  const down = lb1.status();
  assert.equal(down.bfd![0]!.state, 'Down');
  assert.equal(down.bfd![0]!.local_diag, 1);
  assert.deepEqual(down.bfd_drops, { length: 1 });
  assert.match(formatStatusTable(down), /^bfd to_lb2 \(192\.168\.77\.12\): Down, diag 1, .*3 transitions/m);
  assert.match(formatStatusTable(down), /^bfd dropped: length 1$/m);
});
