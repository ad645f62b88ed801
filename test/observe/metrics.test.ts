/**
 * /metrics and /status over HTTP for a daemon on simulated transports, after a failover: the Prometheus text
 * parses (parse-prometheus-text-format), carries the keepalived exporter's names and labels, and its values are
 * those of the status; vigil's own metrics saw the transitions and the failover's duration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { bfdLines, type DaemonStatus } from '../../actors/status.js';
import { DaemonMetrics } from '../../observe/metrics.js';
import { ObservationServer } from '../../observe/http-server.js';
import { parseHttpAddress } from '../../observe/http-address.js';
import { observedPair, serveLb2 } from './observed-world.js';
import { InspectionStream } from '../../observe/inspection-stream.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

interface Sample {
  readonly labels?: Record<string, string>;
  readonly value?: string;
  readonly buckets?: Record<string, string>;
  readonly count?: string;
  readonly sum?: string;
}
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly Sample[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

function value(families: Family[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/** A running daemon's status with nothing in it but `more`. */
const statusWith = (more: Partial<DaemonStatus>): DaemonStatus => ({ pid: 1, config_file: 'keepalived.conf', reloads: 0, scripts: [], virtual_servers: [], drops: {}, instances: [], ...more });

/** The families of one scrape of a daemon whose status is `status`. */
async function scrape(status: DaemonStatus): Promise<Family[]> {
  const metrics = new DaemonMetrics({ node: 'n', status: () => status }, new InspectionStream(new VirtualClock()));
  const families = parsePrometheus(await metrics.render());
  metrics.close();
  return families;
}

test('--http addresses: loopback unless named, IPv6 in brackets', () => {
  assert.deepEqual(parseHttpAddress('9650'), { host: '127.0.0.1', port: 9650 });
  assert.deepEqual(parseHttpAddress(':9650'), { host: '127.0.0.1', port: 9650 });
  assert.deepEqual(parseHttpAddress('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseHttpAddress('[::1]:9650'), { host: '::1', port: 9650 });
  assert.equal(parseHttpAddress('host:99999'), undefined);
  assert.equal(parseHttpAddress('nonsense'), undefined);
});

test('/metrics after a failover: exporter names and labels, values equal to /status', async (t) => {
  const world = await observedPair();
  const lb2 = world.daemons.get('lb2')!;
  const served = await serveLb2(world, 'lb2');
  const { url } = served;
  t.after(async () => {
    await served.close();
    await world.close();
  });
  await world.start();
  await world.advance(6000);
  assert.equal(lb2.status().instances[0]!.state, 'BACKUP');
  // lb1's link fails: it goes FAULT, lb2 takes over after Master_Down_Interval.
  world.hosts.get('lb1')!.setLink('eth0', false);
  await world.advance(6000);

  const metricsResponse = await fetch(`${url}metrics`);
  assert.equal(metricsResponse.status, 200);
  assert.match(metricsResponse.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await metricsResponse.text();
  const families = parsePrometheus(text);
  const status = (await (await fetch(`${url}status`)).json()) as DaemonStatus;
  assert.deepEqual(status, JSON.parse(JSON.stringify(lb2.status())));
  const vi = status.instances[0]!;
  assert.equal(vi.state, 'MASTER');

  const common = { iname: 'VI_1', intf: 'eth0', vrid: '51' };
  assert.equal(value(families, 'keepalived_up'), 1);
  assert.equal(value(families, 'keepalived_vrrp_state', { ...common, ip_address: '192.168.77.100/24' }), 2);
  const counters: [string, number][] = [
    ['keepalived_advertisements_received_total', vi.counters.adverts_received],
    ['keepalived_advertisements_sent_total', vi.counters.adverts_sent],
    ['keepalived_become_master_total', vi.counters.become_master],
    ['keepalived_release_master_total', vi.counters.release_master],
    ['keepalived_priority_zero_received_total', vi.counters.priority_zero_received],
    ['keepalived_priority_zero_sent_total', vi.counters.priority_zero_sent],
    ['keepalived_address_list_errors_total', vi.counters.address_list_errors],
  ];
  for (const [name, expected] of counters) assert.equal(value(families, name, common), expected, name);
  assert.equal(vi.counters.become_master, 1);
  assert.ok(vi.counters.adverts_received >= 2 && vi.counters.adverts_sent >= 2, JSON.stringify(vi.counters));
  // Every metric of the exporter is there, with its labels.
  for (const name of [
    'keepalived_gratuitous_arp_delay_total',
    'keepalived_packet_length_errors_total',
    'keepalived_advertisements_interval_errors_total',
    'keepalived_ip_ttl_errors_total',
    'keepalived_invalid_type_received_total',
    'keepalived_authentication_invalid_total',
    'keepalived_authentication_mismatch_total',
    'keepalived_authentication_failure_total',
  ]) {
    const family = families.find((f) => f.name === name);
    assert.equal(family?.type, 'COUNTER', name);
    assert.deepEqual(Object.keys(family!.metrics[0]!.labels ?? {}).sort(), ['iname', 'intf', 'vrid'], name);
  }
  assert.equal(value(families, 'keepalived_script_status', { name: 'chk_up' }), 1);
  assert.ok([0, 1].includes(value(families, 'keepalived_script_state', { name: 'chk_up' }) ?? -1));

  // vigil's own.
  assert.equal(value(families, 'vigil_transitions_total', { iname: 'VI_1', from: 'BACKUP', to: 'MASTER' }), 1);
  const failover = families.find((f) => f.name === 'vigil_failover_duration_seconds')!;
  assert.equal(failover.type, 'HISTOGRAM');
  // The parser keeps only the buckets of a histogram with labels besides `le`: read count and sum from the text.
  const line = (name: string): number => Number(new RegExp(`^${name}\\{iname="VI_1"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.equal(line('vigil_failover_duration_seconds_count'), 1);
  // Master_Down_Interval for priority 105 at advert_int 1: 3 × 1 s + (256 − 105)/256 s ≈ 3.59 s, since the last
  // advertisement heard.
  const took = line('vigil_failover_duration_seconds_sum');
  assert.ok(Math.abs(took - 3.59) < 0.1, `failover took ${took} s`);
  assert.equal(failover.metrics[0]?.buckets?.['3'], '0');
  assert.equal(failover.metrics[0]?.buckets?.['4'], '1');
  assert.equal(value(families, 'vigil_actor_state', { actor: 'lb2/VI_1', machine: 'vrrp', state: 'MASTER' }), 1);
  const period = value(families, 'vigil_advertisement_period_seconds', { iname: 'VI_1' });
  assert.ok(period !== undefined && Math.abs(period - 1) < 0.01, `advertisement period ${period}`);

  // Notify scripts (lb2's `notify`: BACKUP, then MASTER), as the status counts them.
  const runs = status.script_runs!;
  assert.equal(runs.started, 2);
  assert.equal(value(families, 'vigil_notify_scripts_started_total'), runs.started);
  assert.equal(value(families, 'vigil_notify_scripts_dropped_total'), runs.dropped);
  assert.equal(value(families, 'vigil_notify_scripts_running'), runs.running);
  assert.equal(value(families, 'vigil_notify_scripts_waiting'), runs.waiting);
  assert.equal(value(families, 'vigil_notify_scripts_running_max'), runs.peak_running);
  assert.equal(value(families, 'vigil_scripts_refused'), runs.refused);

  // Unknown paths and methods.
  assert.equal((await fetch(`${url}nope`)).status, 404);
  assert.equal((await fetch(`${url}metrics`, { method: 'POST' })).status, 405);
});

test('keepalived_up is 0 and /status 503 when the daemon is not running', async (t) => {
  const world = await observedPair();
  const metrics = new DaemonMetrics({ node: 'lb1', status: () => undefined }, world.stream);
  const server = new ObservationServer({ host: '127.0.0.1', port: 0, title: 'x', clock: world.clock, stream: world.stream, metrics, status: () => undefined });
  const { url } = await server.listen();
  t.after(async () => {
    await server.close();
    await world.close();
  });
  await world.start();
  const families = parsePrometheus(await (await fetch(`${url}metrics`)).text());
  assert.equal(value(families, 'keepalived_up'), 0);
  assert.equal(families.find((f) => f.name === 'keepalived_vrrp_state')?.metrics.length ?? 0, 0);
  assert.equal((await fetch(`${url}status`)).status, 503);
});

test('authentication drops: an AH replay counts as keepalived_authentication_failure_total, and by its own reason', async () => {
  const status = statusWith({
    instances: [
      {
        name: 'VI_AH',
        state: 'BACKUP',
        vrid: 61,
        interface: 'eth0',
        family: 4,
        version: 2,
        priority: 100,
        effective_priority: 100,
        master_address: '192.168.77.1',
        vips: [],
        counters: {
          adverts_sent: 0,
          adverts_received: 9,
          priority_zero_sent: 0,
          priority_zero_received: 0,
          become_master: 0,
          release_master: 0,
          transitions: 1,
          address_list_errors: 0,
          restarts: 0,
          drops: { auth: 2, auth_replay: 3, auth_type: 1 },
        },
      },
    ],
  });
  const families = await scrape(status);
  const labels = { iname: 'VI_AH', intf: 'eth0', vrid: '61' };
  assert.equal(value(families, 'keepalived_authentication_failure_total', labels), 5);
  assert.equal(value(families, 'keepalived_authentication_mismatch_total', labels), 1);
  assert.equal(value(families, 'vigil_dropped_packets_total', { iname: 'VI_AH', reason: 'auth_replay' }), 3);
  assert.equal(value(families, 'vigil_dropped_packets_total', { iname: 'VI_AH', reason: 'auth' }), 2);
});

test('advertisements the host refused to send: vigil_advert_send_errors_total by interface, family and errno name', async () => {
  const status = statusWith({
    send_errors: [
      { interface: 'vrrp.50', family: 4, code: 'ENODEV', count: 7 },
      { interface: 'eth0', family: 6, code: 'EADDRNOTAVAIL', count: 2 },
    ],
  });
  const families = await scrape(status);
  assert.equal(value(families, 'vigil_advert_send_errors_total', { intf: 'vrrp.50', family: '4', code: 'ENODEV' }), 7);
  assert.equal(value(families, 'vigil_advert_send_errors_total', { intf: 'eth0', family: '6', code: 'EADDRNOTAVAIL' }), 2);
});

test('packets the kernel dropped at a full receive buffer: vigil_dropped_packets_total reason receive_buffer_full', async () => {
  const status = (kernel: number | undefined): DaemonStatus => statusWith({ drops: { vrid: 4 }, ...(kernel !== undefined ? { kernel_drops: kernel } : {}) });
  let now: DaemonStatus = status(1234);
  const metrics = new DaemonMetrics({ node: 'n', status: () => now }, new InspectionStream(new VirtualClock()));
  const families = parsePrometheus(await metrics.render());
  assert.equal(value(families, 'vigil_dropped_packets_total', { iname: '', reason: 'receive_buffer_full' }), 1234);
  assert.equal(value(families, 'vigil_dropped_packets_total', { iname: '', reason: 'vrid' }), 4);
  // None yet (or a daemon that cannot tell): no such series.
  now = status(undefined);
  const none = parsePrometheus(await metrics.render());
  metrics.close();
  const series = none.find((f) => f.name === 'vigil_dropped_packets_total')?.metrics ?? [];
  assert.equal(series.some((m) => m.labels?.['reason'] === 'receive_buffer_full'), false);
});

test('e-mail alerts: vigil_email_sent_total, vigil_email_failed_total and vigil_email_queue_depth are the status\'s counts', async () => {
  let email: DaemonStatus['email'] = { sent: 5, failed: 2, dropped: 1, queued: 3 };
  const status = (): DaemonStatus => statusWith(email ? { email } : {});
  const metrics = new DaemonMetrics({ node: 'n', status }, new InspectionStream(new VirtualClock()));
  let families = parsePrometheus(await metrics.render());
  assert.equal(value(families, 'vigil_email_sent_total'), 5);
  assert.equal(value(families, 'vigil_email_failed_total'), 2);
  assert.equal(value(families, 'vigil_email_queue_depth'), 3);
  // A scrape later: the counts of then, not added up.
  email = { sent: 6, failed: 2, dropped: 1, queued: 0 };
  families = parsePrometheus(await metrics.render());
  assert.equal(value(families, 'vigil_email_sent_total'), 6);
  assert.equal(value(families, 'vigil_email_queue_depth'), 0);
  email = undefined;
  families = parsePrometheus(await metrics.render());
  assert.equal(value(families, 'vigil_email_sent_total'), 0);
  metrics.close();
});

test('BFD worker threads replaced: vigil_bfd_worker_restarts_total by reason, and a line in vigil status', async () => {
  const status = statusWith({ bfd_worker_restarts: { crashed: 1, hung: 2 } });
  const families = await scrape(status);
  assert.equal(value(families, 'vigil_bfd_worker_restarts_total', { reason: 'crashed' }), 1);
  assert.equal(value(families, 'vigil_bfd_worker_restarts_total', { reason: 'hung' }), 2);
  assert.ok(bfdLines(status).includes('bfd thread restarts: crashed 1, hung 2'), bfdLines(status).join('\n'));
  assert.deepEqual(bfdLines({ ...status, bfd_worker_restarts: { crashed: 0, hung: 0 } }), []);
});
