/**
 * Invariant checkers over a finished run's timeline (sim/timeline.ts). Each returns { name, ok, detail }.
 *
 * - one_master_when_stable: once the network has been connected (no partition, no loss) and free of injected
 *   faults for the settle time (counted, for a tracked object's change, from when its tracker must have noticed
 *   it), each VRID has exactly one MASTER among the instances that can run, it holds all the VIPs, and nothing
 *   changes until the next fault.
 * - no_duplicate_vip: no VIP is held by two live nodes for longer than one Master_Down_Interval while connected.
 * - failover_within_bound: when the master crashes, stops or loses its link, a backup takes over within the
 *   protocol bound: crash/link → latency + Master_Down_Interval; graceful stop → latency + Skew_Time.
 */
import { masterDownMicros, microsToMs, skewMicros } from '../machines/vrrp-timing.js';
import type { VrrpStateName } from '../machines/vrrp-instance.js';
import type { VrrpVersion } from '../protocol/vrrp-types.js';
import type { Timeline, TimelineTransition } from './timeline.js';

export interface InstanceFacts {
  readonly node: string;
  readonly instance: string;
  /** Instances with the same key form one virtual router: interface|family|VRID. */
  readonly groupKey: string;
  readonly interface: string;
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly version: VrrpVersion;
  readonly preemptDelayMs: number;
  readonly vips: readonly string[];
}

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface InvariantInput {
  readonly durationMs: number;
  readonly instances: readonly InstanceFacts[];
  /** Worst one-way delay a packet may see (latency + jitter + reordering delay), over the whole run. */
  readonly maxDelayMs: number;
  readonly timeline: Timeline;
  /**
   * How long after an injected change the nodes may take to notice it: a tracked object's tracker looks on its own
   * schedule (a vrrp_script every interval, rise/fall times over; files and processes every second). 0 if absent.
   */
  readonly noticeMs?: ((action: Timeline['faults'][number]['action']) => number) | undefined;
}

const EPS = 1e-6;

/** A v3 backup times out on the interval it learned from the master (RFC 5798 §6.4.2); v2 on its own. */
function intervalSeenBy(f: InstanceFacts, master?: InstanceFacts): number {
  return f.version === 3 && master ? master.advertIntervalCs : f.advertIntervalCs;
}

/** The instance with the longest advertisement interval: v3 backups may learn it (the worst case for bounds). */
function slowestOf(instances: readonly InstanceFacts[]): InstanceFacts | undefined {
  return instances.reduce<InstanceFacts | undefined>((a, b) => (a === undefined || b.advertIntervalCs > a.advertIntervalCs ? b : a), undefined);
}

function masterDownMs(f: InstanceFacts, master?: InstanceFacts): number {
  return microsToMs(masterDownMicros(f.version, f.priority, intervalSeenBy(f, master)));
}

function skewMs(f: InstanceFacts, master?: InstanceFacts): number {
  return microsToMs(skewMicros(f.version, f.priority, intervalSeenBy(f, master)));
}

/** Node liveness, link state and network connectivity, replayed from the injected faults. */
class WorldReplay {
  readonly dead = new Set<string>();
  readonly linkDown = new Set<string>();
  partitioned = false;
  loss = 0;
  jitterMs = 0;
  reorder = 0;

  constructor(timeline: Timeline) {
    this.loss = timeline.initialLoss;
    if (timeline.initialReordering) this.reorder = 1;
  }

  /** Packets may overtake each other: an advertisement sent before a priority 0 can arrive after it. */
  get reordering(): boolean {
    return this.jitterMs > 0 || this.reorder > 0;
  }

  get connected(): boolean {
    return !this.partitioned && this.loss === 0;
  }

  apply(fault: Timeline['faults'][number]): void {
    const a = fault.action;
    switch (a.kind) {
      case 'crash':
        this.dead.add(a.node);
        break;
      case 'restart':
        this.dead.delete(a.node);
        break;
      case 'partition':
        this.partitioned = a.groups.length > 1;
        break;
      case 'heal':
        this.partitioned = false;
        break;
      case 'link':
        if (a.up) this.linkDown.delete(`${a.node}|${a.interface}`);
        else this.linkDown.add(`${a.node}|${a.interface}`);
        break;
      case 'interface': // a deleted interface is a link down; one created again comes up
        if (a.present) this.linkDown.delete(`${a.node}|${a.interface}`);
        else this.linkDown.add(`${a.node}|${a.interface}`);
        break;
      case 'network':
        if (a.settings.loss !== undefined) this.loss = a.settings.loss;
        if (a.settings.jitterMs !== undefined) this.jitterMs = a.settings.jitterMs;
        if (a.settings.reorder !== undefined) this.reorder = a.settings.reorder;
        break;
      default:
        break;
    }
  }
}

function key(node: string, instance: string): string {
  return `${node}|${instance}`;
}

/** The state of every instance just after time t (inclusive) or just before it. */
function statesAt(transitions: readonly TimelineTransition[], t: number, inclusive: boolean): Map<string, VrrpStateName> {
  const states = new Map<string, VrrpStateName>();
  for (const tr of transitions) {
    if (inclusive ? tr.t_ms > t + EPS : tr.t_ms >= t - EPS) break;
    states.set(key(tr.node, tr.instance), tr.to);
  }
  return states;
}

function vipsAt(timeline: Timeline, t: number, inclusive: boolean): Map<string, Set<string>> {
  const held = new Map<string, Set<string>>();
  for (const v of timeline.vips) {
    if (inclusive ? v.t_ms > t + EPS : v.t_ms >= t - EPS) break;
    const set = held.get(v.node) ?? new Set<string>();
    if (v.action === 'add') set.add(v.address);
    else set.delete(v.address);
    held.set(v.node, set);
  }
  return held;
}

function groupsOf(instances: readonly InstanceFacts[]): Map<string, InstanceFacts[]> {
  const groups = new Map<string, InstanceFacts[]>();
  for (const f of instances) {
    const list = groups.get(f.groupKey) ?? [];
    list.push(f);
    groups.set(f.groupKey, list);
  }
  return groups;
}

/** Time after which a connected, fault-free virtual router must have settled. */
export function settleMs(members: readonly InstanceFacts[], maxDelayMs: number): number {
  let worst = 0;
  const slowest = slowestOf(members);
  for (const f of members) {
    const interval = Math.max(f.advertIntervalCs, slowest?.advertIntervalCs ?? 0) * 10;
    // Someone becomes master within a Master_Down_Interval; a preempt_delay router then tolerates it for the
    // delay and takes over after its own Master_Down_Interval (keepalived preempt_delay).
    const preempting = f.preemptDelayMs > 0 ? f.preemptDelayMs + masterDownMs(f, slowest) : 0;
    worst = Math.max(worst, masterDownMs({ ...f, priority: 1 }, slowest) + interval + preempting);
  }
  return worst + 2 * maxDelayMs;
}

export function checkOneMasterWhenStable(input: InvariantInput): InvariantResult {
  const { timeline } = input;
  const groups = groupsOf(input.instances);
  const replay = new WorldReplay(timeline);
  const boundaries = [0, ...timeline.faults.map((f) => f.t_ms), input.durationMs];
  const problems: string[] = [];
  let checked = 0;
  let faultIndex = 0;
  // A change not yet noticed (a tracked object between its tracker's looks) keeps the world unsettled until then.
  let noticedBy = 0;
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i]!;
    while (faultIndex < timeline.faults.length && timeline.faults[faultIndex]!.t_ms <= start + EPS) {
      const fault = timeline.faults[faultIndex]!;
      replay.apply(fault);
      noticedBy = Math.max(noticedBy, fault.t_ms + (input.noticeMs?.(fault.action) ?? 0));
      faultIndex++;
    }
    const end = boundaries[i + 1]!;
    if (!replay.connected) continue;
    for (const [groupKey, members] of groups) {
      const settle = Math.max(start, noticedBy) + settleMs(members, input.maxDelayMs);
      if (settle >= end) continue;
      const atEnd = end >= input.durationMs;
      for (const [t, inclusive] of [[settle, true], [end, atEnd]] as const) {
        checked++;
        const states = statesAt(timeline.transitions, t, inclusive);
        const vips = vipsAt(timeline, t, inclusive);
        const live = members.filter((m) => !replay.dead.has(m.node));
        const eligible = live.filter((m) => {
          const s = states.get(key(m.node, m.instance));
          return s === 'MASTER' || s === 'BACKUP';
        });
        const masters = eligible.filter((m) => states.get(key(m.node, m.instance)) === 'MASTER');
        if (eligible.length > 0 && masters.length !== 1) {
          problems.push(`${groupKey} at ${t}ms: ${masters.length} masters (${masters.map((m) => m.node).join(', ') || 'none'})`);
          continue;
        }
        const master = masters[0];
        if (master) {
          const held = vips.get(master.node) ?? new Set<string>();
          const missing = master.vips.filter((a) => !held.has(a));
          if (missing.length > 0) problems.push(`${groupKey} at ${t}ms: master ${master.node} lacks ${missing.join(', ')}`);
        }
      }
      const changes = timeline.transitions.filter(
        (tr) => tr.t_ms > settle + EPS && tr.t_ms < end - EPS && members.some((m) => m.node === tr.node && m.instance === tr.instance),
      );
      if (changes.length > 0) {
        const c = changes[0]!;
        problems.push(`${groupKey}: ${c.node} ${c.from}→${c.to} at ${c.t_ms}ms in a stable period (${settle}–${end}ms)`);
      }
    }
  }
  return {
    name: 'one_master_when_stable',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${checked} checks in stable periods` : problems.slice(0, 5).join('; '),
  };
}

export function checkNoDuplicateVip(input: InvariantInput): InvariantResult {
  const { timeline } = input;
  const limitOf = new Map<string, number>();
  const slowest = slowestOf(input.instances);
  for (const f of input.instances) {
    for (const a of f.vips) limitOf.set(a, Math.max(limitOf.get(a) ?? 0, masterDownMs(f, slowest) + input.maxDelayMs));
  }
  type Change = { t: number; order: number; apply: () => void };
  const replay = new WorldReplay(timeline);
  const holders = new Map<string, Set<string>>();
  const changes: Change[] = [];
  timeline.faults.forEach((f, i) => changes.push({ t: f.t_ms, order: i, apply: () => replay.apply(f) }));
  timeline.vips.forEach((v, i) =>
    changes.push({
      t: v.t_ms,
      order: timeline.faults.length + i,
      apply: () => {
        const set = holders.get(v.address) ?? new Set<string>();
        if (v.action === 'add') set.add(v.node);
        else set.delete(v.node);
        holders.set(v.address, set);
      },
    }),
  );
  changes.sort((a, b) => a.t - b.t || a.order - b.order);
  const since = new Map<string, number>();
  let worst = 0;
  const problems: string[] = [];
  const evaluate = (t: number): void => {
    for (const [address, set] of holders) {
      const liveHolders = [...set].filter((n) => !replay.dead.has(n));
      const duplicated = replay.connected && liveHolders.length > 1;
      const began = since.get(address);
      if (duplicated && began === undefined) since.set(address, t);
      if (!duplicated && began !== undefined) {
        since.delete(address);
        const held = t - began;
        worst = Math.max(worst, held);
        const limit = limitOf.get(address) ?? 0;
        if (held > limit + EPS) problems.push(`${address} held twice for ${held.toFixed(3)}ms from ${began}ms (limit ${limit.toFixed(3)}ms)`);
      }
    }
  };
  let i = 0;
  while (i < changes.length) {
    const t = changes[i]!.t;
    while (i < changes.length && changes[i]!.t === t) changes[i++]!.apply();
    evaluate(t);
  }
  for (const [address, began] of since) {
    const held = input.durationMs - began;
    worst = Math.max(worst, held);
    const limit = limitOf.get(address) ?? 0;
    if (held > limit + EPS) problems.push(`${address} held twice for ${held.toFixed(3)}ms from ${began}ms until the end`);
  }
  return {
    name: 'no_duplicate_vip',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `longest overlap ${worst.toFixed(3)}ms` : problems.slice(0, 5).join('; '),
  };
}

export function checkFailoverWithinBound(input: InvariantInput): InvariantResult {
  const { timeline } = input;
  const groups = groupsOf(input.instances);
  const replay = new WorldReplay(timeline);
  const problems: string[] = [];
  let measured = 0;
  let worstSlack = Infinity;
  timeline.faults.forEach((fault, index) => {
    const wasConnected = replay.connected;
    const deadBefore = new Set(replay.dead);
    replay.apply(fault);
    const a = fault.action;
    if (!wasConnected || !replay.connected) return;
    if (a.kind !== 'crash' && a.kind !== 'stop' && a.kind !== 'link' && a.kind !== 'interface') return;
    if ((a.kind === 'link' && a.up) || (a.kind === 'interface' && a.present)) return;
    // A stop or link change on a crashed node changes nothing on the wire.
    if (deadBefore.has(a.node)) return;
    const t = fault.t_ms;
    const nextFault = timeline.faults[index + 1]?.t_ms ?? input.durationMs;
    const states = statesAt(timeline.transitions, t, false);
    for (const [groupKey, members] of groups) {
      const master = members.find((m) => m.node === a.node && states.get(key(m.node, m.instance)) === 'MASTER');
      if (!master) continue;
      if ((a.kind === 'link' || a.kind === 'interface') && master.interface !== a.interface) continue;
      const candidates = members.filter(
        (m) => m.node !== a.node && !deadBefore.has(m.node) && states.get(key(m.node, m.instance)) === 'BACKUP',
      );
      if (candidates.length === 0) continue;
      // Right after a heal two masters may coexist for a moment: if another one is still up, nothing fails over.
      const otherMaster = members.some((m) => m.node !== a.node && !deadBefore.has(m.node) && states.get(key(m.node, m.instance)) === 'MASTER');
      if (otherMaster) continue;
      // A graceful stop is taken over after Skew_Time, unless an older advertisement can overtake the priority 0
      // (jitter, reordering) and restart the backups' Master_Down timers.
      const quick = a.kind === 'stop' && !replay.reordering;
      const wait = Math.max(...candidates.map((c) => (quick ? skewMs(c, master) : masterDownMs(c, master))));
      const bound = t + input.maxDelayMs + wait;
      if (bound > nextFault) continue;
      const takeover = timeline.transitions.find(
        (tr) => tr.t_ms > t - EPS && tr.to === 'MASTER' && candidates.some((c) => c.node === tr.node && c.instance === tr.instance),
      );
      measured++;
      if (!takeover || takeover.t_ms > bound + EPS) {
        problems.push(`${groupKey}: ${a.kind} of ${a.node} at ${t}ms, no takeover by ${bound.toFixed(3)}ms${takeover ? ` (took over at ${takeover.t_ms}ms)` : ''}`);
      } else {
        worstSlack = Math.min(worstSlack, bound - takeover.t_ms);
      }
    }
  });
  return {
    name: 'failover_within_bound',
    ok: problems.length === 0,
    detail:
      problems.length > 0
        ? problems.slice(0, 5).join('; ')
        : measured === 0
          ? 'no failover to measure'
          : `${measured} failovers, least slack ${worstSlack.toFixed(3)}ms`,
  };
}

export function checkInvariants(input: InvariantInput): InvariantResult[] {
  return [checkOneMasterWhenStable(input), checkNoDuplicateVip(input), checkFailoverWithinBound(input)];
}
