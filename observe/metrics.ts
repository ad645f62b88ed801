/**
 * /metrics in the Prometheus text format (prom-client, a registry of our own).
 *
 * The keepalived exporter's metrics (mehdy/keepalived-exporter), with its names, labels and numbers, so existing
 * dashboards and alerts keep working: keepalived_up; keepalived_vrrp_state{iname,intf,vrid,ip_address} (0 INIT,
 * 1 BACKUP, 2 MASTER, 3 FAULT), one series per VIP (ip_address "" when an instance has none); the per-instance
 * counters labelled {iname,intf,vrid}; keepalived_script_status{name} (0 BAD, 1 GOOD) and
 * keepalived_script_state{name} (0 idle, 1 running). These are read from the daemon's status at each scrape, so
 * they always agree with `vigil status --json`.
 *
 * vigil's own, fed by the inspection stream: transitions, drops by reason, failover duration (last advertisement
 * heard to MASTER), advertisement period and its error, and the current state of every actor (real servers,
 * virtual servers and checkers included once they run as actors). From the daemon's side: files it could not
 * write (dumps, the recording), what the HTTP endpoint turned away, and advertisements the host refused to send.
 * BFD (bfd_instance): each session's state as RFC 5880 §4.1 numbers it (0 AdminDown, 1 Down, 2 Init, 3 Up), its
 * Detection Time and packets, its transitions (from the stream), control packets dropped by reason, and BFD worker
 * threads replaced by reason (crashed, hung).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { BusMessage } from '../actors/bus.js';
import type { DaemonStatus, InstanceStatus } from '../actors/status.js';
import type { ScriptRunStats } from '../actors/scripts/script-runner.js';
import type { InspectionStream } from './inspection-stream.js';
import type { ObservedEvent } from './observed-event.js';
import { topState } from './state-paths.js';
import { BFD_STATE } from '../protocol/bfd-types.js';

/** keepalived's numbering of VRRP states (a stopped instance counts as INIT). */
const STATE_NUMBER: Readonly<Record<string, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 0 };

export interface MetricsSource {
  /** The daemon's status; undefined when it is not running (keepalived_up 0). */
  status(): DaemonStatus | undefined;
  /** Name of this node in the inspection stream (actors are `node/id`). */
  readonly node: string;
  /** Files that could not be written, by kind (dump, recording). */
  fileWriteFailures?(): Readonly<Record<string, number>>;
  /** Requests and clients the HTTP endpoint turned away, by reason. */
  httpRejections?(): Readonly<Record<string, number>>;
}

interface VrrpParams {
  readonly advertIntervalCs?: number;
  readonly garpMasterDelayMs?: number;
  readonly virtualAddresses?: readonly { readonly address: string; readonly prefix: number; readonly interface: string }[];
}

const COMMON = ['iname', 'intf', 'vrid'] as const;

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge;
  private readonly vrrpState: Gauge;
  private readonly counters = new Map<string, Counter>();
  private readonly scriptStatus: Gauge;
  private readonly scriptState: Gauge;
  private readonly drops: Counter;
  private readonly restarts: Counter;
  private readonly transitions: Counter;
  private readonly failover: Histogram;
  private readonly advertPeriod: Gauge;
  private readonly advertError: Histogram;
  private readonly actorState: Gauge;
  private readonly fileFailures: Counter;
  private readonly email: { readonly sent: Counter; readonly failed: Counter; readonly queued: Gauge };
  private readonly httpRejected: Counter;
  private readonly scriptRuns: Record<keyof ScriptRunStats, Gauge | Counter>;
  private readonly sendErrors: Counter;
  private readonly bfdState: Gauge;
  private readonly bfdDetection: Gauge;
  private readonly bfdPackets: Counter;
  private readonly bfdTransitions: Counter;
  private readonly bfdDrops: Counter;
  private readonly announced: Gauge;
  private readonly bfdWorkerRestarts: Counter;
  private subscription: Subscription | undefined;
  // Stream-side bookkeeping.
  private readonly lastAdvertHeard = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();
  private readonly actorTop = new Map<string, { machine: string; state: string }>();

  constructor(
    private readonly source: MetricsSource,
    private readonly stream: InspectionStream,
  ) {
    const registers = [this.registry];
    this.up = new Gauge({ name: 'keepalived_up', help: 'Status', registers });
    this.vrrpState = new Gauge({ name: 'keepalived_vrrp_state', help: 'State of vrrp', labelNames: ['iname', 'intf', 'vrid', 'ip_address'], registers });
    const counter = (name: string, help: string): void => {
      this.counters.set(name, new Counter({ name, help, labelNames: COMMON, registers }));
    };
    counter('keepalived_gratuitous_arp_delay_total', 'Gratuitous ARP delay');
    counter('keepalived_advertisements_received_total', 'Advertisements received');
    counter('keepalived_advertisements_sent_total', 'Advertisements sent');
    counter('keepalived_become_master_total', 'Became master');
    counter('keepalived_release_master_total', 'Released master');
    counter('keepalived_packet_length_errors_total', 'Packet length errors');
    counter('keepalived_advertisements_interval_errors_total', 'Advertisement interval errors');
    counter('keepalived_ip_ttl_errors_total', 'TTL errors');
    counter('keepalived_invalid_type_received_total', 'Invalid type errors');
    counter('keepalived_address_list_errors_total', 'Address list errors');
    counter('keepalived_authentication_invalid_total', 'Authentication invalid');
    counter('keepalived_authentication_mismatch_total', 'Authentication mismatch');
    counter('keepalived_authentication_failure_total', 'Authentication failure');
    counter('keepalived_priority_zero_received_total', 'Priority zero received');
    counter('keepalived_priority_zero_sent_total', 'Priority zero sent');
    this.scriptStatus = new Gauge({ name: 'keepalived_script_status', help: 'Tracker Script Status', labelNames: ['name'], registers });
    this.scriptState = new Gauge({ name: 'keepalived_script_state', help: 'Tracker Script State', labelNames: ['name'], registers });

    this.drops = new Counter({
      name: 'vigil_dropped_packets_total',
      help: 'Advertisements dropped by the receive checks (RFC 5798 §7.1), by reason; iname "" before an instance could be named; receive_buffer_full: dropped by the kernel before they could be read',
      labelNames: ['iname', 'reason'],
      registers,
    });
    this.restarts = new Counter({ name: 'vigil_instance_restarts_total', help: 'Instance actors restarted by their supervisor', labelNames: ['iname'], registers });
    this.transitions = new Counter({ name: 'vigil_transitions_total', help: 'VRRP state transitions', labelNames: ['iname', 'from', 'to'], registers });
    this.failover = new Histogram({
      name: 'vigil_failover_duration_seconds',
      help: 'From the last advertisement heard from the old master to becoming MASTER',
      labelNames: ['iname'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 20],
      registers,
    });
    this.advertPeriod = new Gauge({ name: 'vigil_advertisement_period_seconds', help: 'Last measured time between two advertisements sent as MASTER', labelNames: ['iname'], registers });
    this.advertError = new Histogram({
      name: 'vigil_advertisement_period_error_seconds',
      help: 'How far the time between two advertisements sent as MASTER is from advert_int (absolute)',
      labelNames: ['iname'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.actorState = new Gauge({ name: 'vigil_actor_state', help: 'Current top-level state of every actor (1 for the state it is in)', labelNames: ['actor', 'machine', 'state'], registers });
    this.fileFailures = new Counter({
      name: 'vigil_file_write_failures_total',
      help: 'Files not written (a full disk, a directory or a link where a dump goes, …), by kind: dump, recording',
      labelNames: ['file'],
      registers,
    });
    this.httpRejected = new Counter({
      name: 'vigil_http_rejected_total',
      help: 'Requests and /events clients the HTTP endpoint turned away, by reason',
      labelNames: ['reason'],
      registers,
    });
    // Notify scripts (actors/scripts/script-runner.ts): the bound at work.
    this.scriptRuns = {
      running: new Gauge({ name: 'vigil_notify_scripts_running', help: 'Notify scripts running now', registers }),
      waiting: new Gauge({ name: 'vigil_notify_scripts_waiting', help: 'Notify scripts waiting for a place to run', registers }),
      started: new Counter({ name: 'vigil_notify_scripts_started_total', help: 'Notify scripts started', registers }),
      dropped: new Counter({ name: 'vigil_notify_scripts_dropped_total', help: 'Notify scripts dropped: the oldest waiting when too many waited, and those waiting when vigil stopped', registers }),
      peak_running: new Gauge({ name: 'vigil_notify_scripts_running_max', help: 'The most notify scripts that ran at once', registers }),
      refused: new Gauge({ name: 'vigil_scripts_refused', help: 'Scripts the configuration loaded last does not run (each said in the log at load)', registers }),
    };
    // E-mail alerts (actors/mail/mail-queue.ts).
    this.email = {
      sent: new Counter({ name: 'vigil_email_sent_total', help: 'E-mail alerts the SMTP server took', registers }),
      failed: new Counter({ name: 'vigil_email_failed_total', help: 'E-mail alerts not sent: given up after every try, dropped from a full queue, or left at stop', registers }),
      queued: new Gauge({ name: 'vigil_email_queue_depth', help: 'E-mail alerts waiting or being sent now', registers }),
    };
    this.sendErrors = new Counter({
      name: 'vigil_advert_send_errors_total',
      help: 'Advertisements the host refused to send (interface gone, address gone, buffers full, …), by interface, family and errno name',
      labelNames: ['intf', 'family', 'code'],
      registers,
    });
    const session = ['name', 'neighbor'];
    this.bfdState = new Gauge({ name: 'vigil_bfd_session_state', help: 'BFD session state (RFC 5880: 0 AdminDown, 1 Down, 2 Init, 3 Up)', labelNames: session, registers });
    this.bfdDetection = new Gauge({ name: 'vigil_bfd_detection_time_seconds', help: 'BFD Detection Time in force (RFC 5880 §6.8.4)', labelNames: session, registers });
    this.bfdPackets = new Counter({ name: 'vigil_bfd_packets_total', help: 'BFD control packets of a session, by direction (sent, received)', labelNames: [...session, 'direction'], registers });
    this.bfdTransitions = new Counter({ name: 'vigil_bfd_transitions_total', help: 'BFD session state transitions', labelNames: ['name', 'from', 'to'], registers });
    this.bfdDrops = new Counter({
      name: 'vigil_bfd_dropped_packets_total',
      help: 'BFD control packets dropped (RFC 5880 §6.8.6, GTSM / max_hops, no session), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.announced = new Gauge({
      name: 'vigil_announced',
      help: 'announce_table: 1 while the address host route is in the table for the BGP speaker, else 0',
      labelNames: ['vip', 'table'],
      registers,
    });
    this.bfdWorkerRestarts = new Counter({
      name: 'vigil_bfd_worker_restarts_total',
      help: 'BFD worker threads replaced, by reason (crashed: it exited; hung: no heartbeat within the hang bound)',
      labelNames: ['reason'],
      registers,
    });
    // Steps from the records; bus messages one by one (the stream sums a master's advertisements up), each timed.
    this.subscription = stream.events$.subscribe((e) => this.observe(e));
    this.subscription.add(stream.bus$.subscribe((m) => this.observeBus(m)));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text of one scrape. */
  async render(): Promise<string> {
    this.refresh(this.source.status());
    return this.registry.metrics();
  }

  close(): void {
    this.subscription?.unsubscribe();
  }

  private params(instance: string): VrrpParams | undefined {
    const context = this.stream.contexts.get(`${this.source.node}/${instance}`) as { params?: VrrpParams } | undefined;
    return context?.params;
  }

  private refresh(status: DaemonStatus | undefined): void {
    this.up.set(status ? 1 : 0);
    this.vrrpState.reset();
    for (const c of this.counters.values()) c.reset();
    this.scriptStatus.reset();
    this.scriptState.reset();
    this.drops.reset();
    this.restarts.reset();
    this.fileFailures.reset();
    for (const [file, n] of Object.entries(this.source.fileWriteFailures?.() ?? {})) this.fileFailures.inc({ file }, n);
    this.httpRejected.reset();
    for (const [reason, n] of Object.entries(this.source.httpRejections?.() ?? {})) this.httpRejected.inc({ reason }, n);
    this.sendErrors.reset();
    this.bfdState.reset();
    this.bfdDetection.reset();
    this.bfdPackets.reset();
    this.bfdDrops.reset();
    this.announced.reset();
    this.bfdWorkerRestarts.reset();
    this.email.sent.reset();
    this.email.failed.reset();
    this.email.queued.reset();
    if (!status) return;
    for (const b of status.bfd ?? []) {
      const labels = { name: b.name, neighbor: b.neighbor };
      this.bfdState.set(labels, BFD_STATE[b.state]);
      this.bfdDetection.set(labels, b.detection_time_ms / 1000);
      this.bfdPackets.inc({ ...labels, direction: 'sent' }, b.packets_sent);
      this.bfdPackets.inc({ ...labels, direction: 'received' }, b.packets_received);
    }
    for (const [reason, n] of Object.entries(status.bfd_drops ?? {})) this.bfdDrops.inc({ reason }, n ?? 0);
    for (const a of status.announced ?? []) this.announced.set({ vip: a.vip, table: String(a.table) }, a.announced ? 1 : 0);
    for (const [reason, n] of Object.entries(status.bfd_worker_restarts ?? {})) this.bfdWorkerRestarts.inc({ reason }, n);
    this.email.sent.inc(status.email?.sent ?? 0);
    this.email.failed.inc(status.email?.failed ?? 0);
    this.email.queued.set(status.email?.queued ?? 0);
    for (const e of status.send_errors ?? []) this.sendErrors.inc({ intf: e.interface, family: String(e.family), code: e.code }, e.count);
    for (const i of status.instances) this.instance(i);
    for (const [reason, n] of Object.entries(status.drops)) this.drops.inc({ iname: '', reason }, n ?? 0);
    // Packets the kernel dropped at a full receive buffer: never read, so without a reason of their own.
    if (status.kernel_drops) this.drops.inc({ iname: '', reason: 'receive_buffer_full' }, status.kernel_drops);
    for (const s of status.scripts) {
      this.scriptStatus.set({ name: s.name }, s.up ? 1 : 0);
      const state = this.actorTop.get(`${this.source.node}/script:${s.name}`)?.state;
      this.scriptState.set({ name: s.name }, state === 'running' ? 1 : 0);
    }
    this.actorState.reset();
    for (const [actor, { machine, state }] of this.actorTop) this.actorState.set({ actor, machine, state }, 1);
    const runs = status.script_runs;
    for (const [what, metric] of Object.entries(this.scriptRuns) as [keyof ScriptRunStats, Gauge | Counter][]) {
      metric.reset();
      const n = runs?.[what] ?? 0;
      if (metric instanceof Gauge) metric.set(n);
      else metric.inc(n);
    }
  }

  private instance(i: InstanceStatus): void {
    const labels = { iname: i.name, intf: i.interface, vrid: String(i.vrid) };
    const c = i.counters;
    const d = c.drops;
    const params = this.params(i.name);
    const set = (name: string, value: number | undefined): void => {
      this.counters.get(name)!.inc(labels, value ?? 0);
    };
    set('keepalived_gratuitous_arp_delay_total', Math.round((params?.garpMasterDelayMs ?? 0) / 1000));
    set('keepalived_advertisements_received_total', c.adverts_received);
    set('keepalived_advertisements_sent_total', c.adverts_sent);
    set('keepalived_become_master_total', c.become_master);
    set('keepalived_release_master_total', c.release_master);
    set('keepalived_packet_length_errors_total', d.length);
    set('keepalived_advertisements_interval_errors_total', d.interval);
    set('keepalived_ip_ttl_errors_total', d.ttl);
    set('keepalived_invalid_type_received_total', d.type);
    // keepalived's addr_list_err: the instance counts it (address_list and destination drops, as keepalived 2.2.7).
    set('keepalived_address_list_errors_total', c.address_list_errors);
    // An unknown authentication type is refused before the VRID is looked at (node drops, iname ""); a known
    // type other than the instance's is a mismatch, a wrong password a failure.
    set('keepalived_authentication_invalid_total', 0);
    set('keepalived_authentication_mismatch_total', d.auth_type);
    // keepalived's auth_failure counts a wrong password and an AH replay alike.
    set('keepalived_authentication_failure_total', (d.auth ?? 0) + (d.auth_replay ?? 0));
    set('keepalived_priority_zero_received_total', c.priority_zero_received);
    set('keepalived_priority_zero_sent_total', c.priority_zero_sent);
    const state = STATE_NUMBER[i.state] ?? 0;
    const devices = new Map((params?.virtualAddresses ?? []).map((a) => [`${a.address}/${a.prefix}`, a.interface]));
    if (i.vips.length === 0) this.vrrpState.set({ ...labels, ip_address: '' }, state);
    for (const vip of i.vips) this.vrrpState.set({ iname: i.name, intf: devices.get(vip) ?? i.interface, vrid: String(i.vrid), ip_address: vip }, state);
    for (const [reason, n] of Object.entries(d)) this.drops.inc({ iname: i.name, reason }, n ?? 0);
    this.restarts.inc({ iname: i.name }, c.restarts);
  }

  private observe(e: ObservedEvent): void {
    if (e.kind === 'step') {
      const machine = this.stream.machineOf.get(e.actor) ?? '';
      if (e.changed) this.actorTop.set(e.actor, { machine, state: topState(e.state) });
      if (e.event === 'ADVERTISEMENT') this.lastAdvertHeard.set(e.actor, e.at);
      return;
    }
    if (e.kind === 'steady') {
      // Advertisements the backup's shortcut answered (the run ends before any change of the instance's state).
      if (e.event === 'ADVERTISEMENT') this.lastAdvertHeard.set(e.actor, e.last);
      return;
    }
  }

  private observeBus(m: BusMessage): void {
    if (m.node !== this.source.node) return;
    if (m.kind === 'bfd') {
      this.bfdTransitions.inc({ name: m.session, from: m.from, to: m.to });
      return;
    }
    if (m.kind === 'transition') {
      const key = `${m.node}/${m.instance}`;
      this.transitions.inc({ iname: m.instance, from: m.from, to: m.to });
      if (m.to === 'MASTER' && m.from === 'BACKUP') {
        const heard = this.lastAdvertHeard.get(key);
        if (heard !== undefined) this.failover.observe({ iname: m.instance }, (m.at - heard) / 1000);
      }
      this.lastSent.delete(key);
      return;
    }
    if (m.kind === 'advert_sent' && m.priority > 0) {
      const key = `${m.node}/${m.instance}`;
      const before = this.lastSent.get(key);
      this.lastSent.set(key, m.at);
      const intervalCs = this.params(m.instance)?.advertIntervalCs;
      if (before === undefined || intervalCs === undefined) return;
      // An advertisement answering a lower-priority one (a forced election) is not a timer period.
      if ((this.lastAdvertHeard.get(key) ?? -Infinity) > before) return;
      const period = (m.at - before) / 1000;
      this.advertPeriod.set({ iname: m.instance }, period);
      this.advertError.observe({ iname: m.instance }, Math.abs(period - intervalCs / 100));
    }
  }
}
