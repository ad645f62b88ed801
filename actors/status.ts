/**
 * The status of a running daemon, as `vigil status --json`, the status socket and the JSON dump show it
 * (snake_case keys, keepalived's state names).
 */
import type { MailStats } from './mail/mail-queue.js';
import type { DropReason } from '../protocol/vrrp-types.js';
import type { VrrpStateName } from '../machines/vrrp-instance.js';
import type { VrrpNode } from './vrrp/vrrp-node.js';
import type { VirtualServerRunner } from './lvs/virtual-server-runner.js';
import { liveDestinations } from '../machines/desired-state.js';
import type { ScriptRunStats } from './scripts/script-runner.js';
import type { BfdDropReason, BfdStateName } from '../protocol/bfd-types.js';
import type { BfdSessionStatus } from './bfd/node-bfd.js';

/** One BFD session (bfd_instance). */
export interface BfdStatus {
  readonly name: string;
  readonly neighbor: string;
  readonly source: string | null;
  readonly state: BfdStateName;
  /** Our diagnostic and the remote's last (RFC 5880 §4.1). */
  readonly local_diag: number;
  readonly remote_diag: number;
  /** The Detection Time in force (RFC 5880 §6.8.4). */
  readonly detection_time_ms: number;
  readonly transitions: number;
  readonly packets_sent: number;
  readonly packets_received: number;
}

export function bfdStatuses(sessions: readonly BfdSessionStatus[]): BfdStatus[] {
  return sessions.map((s) => ({
    name: s.name,
    neighbor: s.neighbor,
    source: s.source ?? null,
    state: s.state,
    local_diag: s.localDiag,
    remote_diag: s.remoteDiag,
    detection_time_ms: s.detectionTimeMs,
    transitions: s.transitions,
    packets_sent: s.packetsSent,
    packets_received: s.packetsReceived,
  }));
}

/** A BFD session in one line, for both forms of `vigil status`. */
export function bfdLine(b: BfdStatus): string {
  const diag = b.local_diag !== 0 ? `, diag ${b.local_diag}` : '';
  return `bfd ${b.name} (${b.neighbor}): ${b.state}${diag}, detection ${b.detection_time_ms} ms, ${b.transitions} transitions, sent ${b.packets_sent}, received ${b.packets_received}`;
}

export interface InstanceStatus {
  readonly name: string;
  readonly state: VrrpStateName;
  readonly vrid: number;
  readonly interface: string;
  readonly family: 4 | 6;
  readonly version: 2 | 3;
  readonly priority: number;
  readonly effective_priority: number;
  readonly master_address: string | null;
  readonly vips: readonly string[];
  readonly counters: {
    readonly adverts_sent: number;
    readonly adverts_received: number;
    readonly priority_zero_sent: number;
    readonly priority_zero_received: number;
    readonly become_master: number;
    readonly release_master: number;
    readonly transitions: number;
    readonly address_list_errors: number;
    /** Restarts of the instance's actor by its supervisor. */
    readonly restarts: number;
    readonly drops: Partial<Record<DropReason, number>>;
  };
}

export interface VirtualServerStatus {
  readonly key: string;
  readonly quorum_up: boolean;
  readonly real_servers: readonly { readonly key: string; readonly alive: boolean; readonly weight: number; readonly failed_checks?: number }[];
  /** What the kernel load balancer is told: live destinations (address:port, weight), or the sorry server. */
  readonly pool: readonly { readonly destination: string; readonly weight: number }[];
}

export interface DaemonStatus {
  readonly pid: number;
  readonly config_file: string;
  readonly reloads: number;
  readonly instances: readonly InstanceStatus[];
  readonly scripts: readonly { readonly name: string; readonly up: boolean }[];
  readonly virtual_servers: readonly VirtualServerStatus[];
  /** Drops before any instance could be named: undecodable packets, unknown VRIDs. */
  readonly drops: Partial<Record<DropReason, number>>;
  /** Notify scripts: running, waiting their turn, dropped, refused at load (actors/scripts/script-runner.ts). */
  readonly script_runs?: ScriptRunStats | undefined;
  /**
   * VRRP packets the kernel dropped at a full receive buffer before vigil could read them (SO_RXQ_OVFL); /metrics
   * shows them as the drop reason `receive_buffer_full`. Absent from a daemon that predates it.
   */
  readonly kernel_drops?: number;
  /** E-mail alerts: sent, failed (dropped included), dropped from a full queue, queued now (absent: no e-mail). */
  readonly email?: MailStats | undefined;
  /** Advertisements the host refused to send, by interface, family and errno name (absent: none). */
  readonly send_errors?: readonly { readonly interface: string; readonly family: 4 | 6; readonly code: string; readonly count: number }[];
  /** BFD sessions (absent: none run). */
  readonly bfd?: readonly BfdStatus[] | undefined;
  /** BFD control packets dropped, by reason (RFC 5880 §6.8.6, GTSM, no session). */
  readonly bfd_drops?: Partial<Record<BfdDropReason, number>> | undefined;
  /** announce_table: each announced address, its table, and whether its route is in the table now (absent: none). */
  readonly announced?: readonly { readonly owner: string; readonly vip: string; readonly table: number; readonly announced: boolean }[] | undefined;
  /** BFD worker threads replaced, by why: exited (crashed) or silent past the hang bound (hung). */
  readonly bfd_worker_restarts?: Readonly<Record<'crashed' | 'hung', number>> | undefined;
}

export function virtualServerStatuses(runners: readonly VirtualServerRunner[]): VirtualServerStatus[] {
  return runners.map((r) => {
    const pool = r.pool();
    return {
      key: r.vs.key,
      quorum_up: r.quorumUp,
      real_servers: Object.entries(r.context.members).map(([key, m]) => ({ key, alive: m.alive, weight: m.weight, failed_checks: r.failedChecks(key) })),
      pool: liveDestinations(pool).map((d) => ({ destination: `${d.address}:${d.port}`, weight: d.weight })),
    };
  });
}

export function instanceStatuses(node: VrrpNode): InstanceStatus[] {
  return [...node.runners.values()].map((runner) => {
    const spec = runner.spec;
    const c = runner.counters;
    return {
      name: spec.name,
      state: runner.state,
      vrid: spec.vrid,
      interface: spec.interface,
      family: spec.family,
      version: spec.version,
      priority: runner.basePriority,
      effective_priority: runner.effectivePriority,
      master_address: runner.state === 'MASTER' ? null : (runner.masterAddress ?? null),
      vips: spec.virtualAddresses.map((a) => `${a.address}/${a.prefix}`),
      counters: {
        adverts_sent: c.advertsSent,
        adverts_received: c.advertsReceived,
        priority_zero_sent: c.priorityZeroSent,
        priority_zero_received: c.priorityZeroReceived,
        become_master: c.becomeMaster,
        release_master: c.releaseMaster,
        transitions: c.transitions,
        address_list_errors: c.addressListErrors,
        restarts: runner.restarts,
        drops: { ...c.drops },
      },
    };
  });
}

/** Human-readable status, one block per instance (what `vigil status` prints). */
export function formatStatus(status: DaemonStatus): string {
  const lines: string[] = [`vigil pid ${status.pid}, config ${status.config_file}, ${status.reloads} reloads`];
  for (const i of status.instances) {
    lines.push(
      `${i.name}: ${i.state}  vrid ${i.vrid} on ${i.interface} (v${i.version}, IPv${i.family})  priority ${i.priority}` +
        (i.effective_priority !== i.priority ? ` (effective ${i.effective_priority})` : '') +
        (i.master_address ? `  master ${i.master_address}` : ''),
    );
    lines.push(`    VIPs: ${i.vips.join(' ') || '-'}`);
    const c = i.counters;
    const drops = Object.entries(c.drops).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
    lines.push(
      `    adverts sent ${c.adverts_sent}, received ${c.adverts_received}; priority 0 sent ${c.priority_zero_sent}, received ${c.priority_zero_received}; ` +
        `became master ${c.become_master}, released ${c.release_master}; transitions ${c.transitions}; drops: ${drops}`,
    );
  }
  for (const s of status.scripts) lines.push(`script ${s.name}: ${s.up ? 'up' : 'down'}`);
  for (const vs of status.virtual_servers) {
    lines.push(`virtual server ${vs.key}: quorum ${vs.quorum_up ? 'up' : 'down'}`);
    for (const rs of vs.real_servers) lines.push(`    real server ${rs.key}: ${rs.alive ? 'UP' : 'DOWN'} weight ${rs.weight}`);
    lines.push(`    pool: ${vs.pool.map((d) => `${d.destination}(${d.weight})`).join(' ') || '-'}`);
  }
  const drops = Object.entries(status.drops).map(([r, n]) => `${r} ${n}`).join(', ');
  if (drops) lines.push(`dropped before routing: ${drops}`);
  if (status.kernel_drops) lines.push(`kernel_drops (receive buffer full, never read): ${status.kernel_drops}`);
  const r = status.script_runs;
  if (r && (r.started > 0 || r.refused > 0)) {
    lines.push(`notify scripts: ${r.running} running, ${r.waiting} waiting, ${r.started} started, ${r.dropped} dropped; ${r.refused} refused at load`);
  }
  for (const e of status.send_errors ?? []) lines.push(`send errors on ${e.interface} (IPv${e.family}): ${e.code} ${e.count}`);
  lines.push(...bfdLines(status), ...announceLines(status));
  return `${lines.join('\n')}\n`;
}

/** announce_table: `announced 192.0.2.10 table 100 (virtual_server 192.0.2.10:80)`, or `withdrawn …`. */
export function announceLines(status: DaemonStatus): string[] {
  return (status.announced ?? []).map((a) => `${a.announced ? 'announced' : 'withdrawn'} ${a.vip} table ${a.table} (${a.owner})`);
}

/** The BFD sessions, what was dropped, and the BFD threads replaced. */
export function bfdLines(status: DaemonStatus): string[] {
  const lines = (status.bfd ?? []).map(bfdLine);
  const drops = Object.entries(status.bfd_drops ?? {}).map(([r, n]) => `${r} ${n}`).join(', ');
  if (drops) lines.push(`bfd dropped: ${drops}`);
  const restarts = status.bfd_worker_restarts;
  if (restarts && restarts.crashed + restarts.hung > 0) lines.push(`bfd thread restarts: crashed ${restarts.crashed}, hung ${restarts.hung}`);
  return lines;
}
