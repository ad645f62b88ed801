/**
 * The page's timeline lanes, built from the records as they come: one lane per VRRP instance of a node (its
 * keepalived states), one per BFD session of a node (`bfd:NAME`, its RFC 5880 states AdminDown, Down, Init, Up,
 * from the `bfd` bus messages), the periods an instance held its VIPs, the periods each node's process was down,
 * and the faults.
 * `rows` arranges them for display: grouped (by node, by VRID across nodes, by interface or by sync group), groups collapsed
 * on request, lanes with the same history (at the resolution of one pixel) merged into one row with a count,
 * and a filter (words, `node=`, `instance=`, `state=`, `vrid=`, `interface=`, `group=`, `kind=` (vrrp, bfd), `neighbor=`, and "changed in view").
 *
 * Injected into the page with Function.prototype.toString, so it must stay self-contained: no imports, no
 * outside names.
 */
import type { ObservedEvent } from '../observed-event.js';

export interface LaneSegment {
  readonly t: number;
  readonly state: string;
}

export interface Lane {
  /** `node instance`, the key the page and its tests name a lane by (`node bfd:NAME` for a BFD session). */
  readonly key: string;
  /** A VRRP instance, or a BFD session (bfd_instance). */
  readonly kind: 'vrrp' | 'bfd';
  readonly node: string;
  /** The instance's name, or `bfd:` and the session's. */
  readonly instance: string;
  /** A BFD session's neighbor. */
  neighbor: string | undefined;
  vrid: number | undefined;
  iface: string | undefined;
  /** Its vrrp_sync_group, if any. */
  group: string | undefined;
  /**
   * Its states. The first may be a seed: taken from the instance's actor (its state in a recording whose older
   * files were rotated away, where the transition into it is gone), replaced by a transition into that state.
   */
  readonly segments: LaneSegment[];
  seeded: boolean;
  /** While holding its VIPs (`to` undefined: still holding). */
  readonly vips: { from: number; to: number | undefined }[];
  readonly holding: Set<string>;
}

/** A node's process down from `from` to `to` (undefined: still down). */
export interface DownBand {
  readonly from: number;
  to: number | undefined;
  readonly cause: string;
}

export type LaneGrouping = 'node' | 'vrid' | 'interface' | 'group';

export interface LaneQuery {
  readonly groupBy: LaneGrouping;
  readonly filter: string;
  /** Keep only lanes with a change of state, or a DOWN band edge, in this window. */
  readonly changedIn?: { readonly from: number; readonly to: number } | undefined;
  readonly collapsed: ReadonlySet<string>;
  /** Representatives of merged lanes shown member by member. */
  readonly expanded: ReadonlySet<string>;
  /** Times equal to within this are the same (one pixel of the view). */
  readonly quantumMs: number;
  /** Time of the cursor, for `state=`. */
  readonly at: number;
}

export type LaneRow =
  | { readonly kind: 'group'; readonly key: string; readonly label: string; readonly lanes: readonly Lane[]; readonly collapsed: boolean }
  | { readonly kind: 'lane'; readonly lane: Lane; readonly members: readonly Lane[]; readonly expanded: boolean; readonly member: boolean };

export interface LaneModel {
  readonly lanes: Lane[];
  readonly downs: Map<string, DownBand[]>;
  readonly faults: { readonly t: number; readonly text: string }[];
  /** Grows whenever a record changed the lanes. */
  readonly version: () => number;
  add(e: ObservedEvent): void;
  /**
   * The lane's state at `t`: 'DOWN' while its node's process is down ('UNREACHABLE' when the band is a site's
   * peer it could not reach: `vigil site`, cause `unreachable`), '' before its first state.
   */
  stateAt(lane: Lane, t: number): string;
  downAt(node: string, t: number): DownBand | undefined;
  rows(q: LaneQuery): { rows: LaneRow[]; matching: Lane[] };
}

export function createLaneModel(): LaneModel {
  const lanes: Lane[] = [];
  const byKey = new Map<string, Lane>();
  const byNode = new Map<string, Lane[]>();
  const downs = new Map<string, DownBand[]>();
  const faults: { t: number; text: string }[] = [];
  let version = 0;

  const laneOf = (node: string, instance: string, kind: Lane['kind'] = 'vrrp'): Lane => {
    const key = `${node} ${instance}`;
    let lane = byKey.get(key);
    if (!lane) {
      lane = { key, kind, node, instance, neighbor: undefined, vrid: undefined, iface: undefined, group: undefined, segments: [], seeded: false, vips: [], holding: new Set() };
      byKey.set(key, lane);
      lanes.push(lane);
      const list = byNode.get(node) ?? [];
      list.push(lane);
      byNode.set(node, list);
    }
    return lane;
  };

  /** VRRP instance actors (their id is the instance's name), for seeds. */
  const vrrpActors = new Map<string, { node: string; instance: string }>();

  const add = (e: ObservedEvent): void => {
    if (e.kind === 'actor') {
      if (e.machine === 'vrrp') vrrpActors.set(e.actor, { node: e.node, instance: e.id });
      return;
    }
    if (e.kind === 'step') {
      const who = e.changed ? vrrpActors.get(e.actor) : undefined;
      if (!who) return;
      const first = e.state[0] ?? '';
      const state = first.includes('.') ? first.slice(0, first.indexOf('.')) : first;
      const lane = state === '' || state === 'INIT' ? byKey.get(`${who.node} ${who.instance}`) : laneOf(who.node, who.instance);
      if (!lane || state === 'INIT' || lane.segments.length > 0) return;
      lane.segments.push({ t: e.at, state });
      lane.seeded = true;
      version++;
      return;
    }
    if (e.kind === 'fault') {
      faults.push({ t: e.at, text: e.text });
      version++;
      return;
    }
    if (e.kind === 'process') {
      const list = downs.get(e.node) ?? [];
      const open = list.length > 0 && list[list.length - 1]!.to === undefined ? list[list.length - 1] : undefined;
      if (!e.up && !open) list.push({ from: e.at, to: undefined, cause: e.cause });
      if (e.up && open) open.to = e.at;
      downs.set(e.node, list);
      version++;
      return;
    }
    if (e.kind !== 'bus') return;
    const m = e.message;
    if (m.kind === 'transition') {
      const lane = laneOf(m.node, m.instance);
      if (m.vrid !== undefined) lane.vrid = m.vrid;
      if (m.interface !== undefined) lane.iface = m.interface;
      if (m.group !== undefined) lane.group = m.group;
      if (lane.seeded && lane.segments.length === 1 && lane.segments[0]!.state === m.to) lane.segments.pop();
      lane.seeded = false;
      lane.segments.push({ t: m.at, state: m.to });
      version++;
      return;
    }
    if (m.kind === 'bfd') {
      // A session starts Down (RFC 5880 §6.8.1): its lane starts at its first change, from Down.
      const lane = laneOf(m.node, `bfd:${m.session}`, 'bfd');
      lane.neighbor = m.neighbor;
      if (lane.segments.length === 0 && m.from !== 'Down') lane.segments.push({ t: m.at, state: m.from });
      lane.segments.push({ t: m.at, state: m.to });
      version++;
      return;
    }
    if (m.kind !== 'vip') return;
    // '-' or no instance: every lane of the node (a reboot cleared the node's addresses).
    const targets = m.instance === undefined || m.instance === '-' ? (byNode.get(m.node) ?? []).filter((l) => l.kind === 'vrrp') : [laneOf(m.node, m.instance)];
    for (const lane of targets) {
      const open = lane.vips.length > 0 && lane.vips[lane.vips.length - 1]!.to === undefined ? lane.vips[lane.vips.length - 1] : undefined;
      if (m.action === 'add') {
        lane.holding.add(m.address);
        if (!open) lane.vips.push({ from: m.at, to: undefined });
      } else if (lane.holding.delete(m.address) && lane.holding.size === 0 && open) {
        open.to = m.at;
      }
    }
    version++;
  };

  const downAt = (node: string, t: number): DownBand | undefined => {
    for (const d of downs.get(node) ?? []) if (d.from <= t && (d.to === undefined || t < d.to)) return d;
    return undefined;
  };

  const stateAt = (lane: Lane, t: number): string => {
    const down = downAt(lane.node, t);
    if (down) return down.cause === 'unreachable' ? 'UNREACHABLE' : 'DOWN';
    const s = lane.segments;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? '' : s[lo - 1]!.state;
  };

  const groupOf = (lane: Lane, by: LaneGrouping): { key: string; label: string } => {
    if (by === 'node') return { key: `node:${lane.node}`, label: lane.node };
    // Sessions have no VRID, interface or sync group: together, whatever else groups the instances.
    if (lane.kind === 'bfd') return { key: 'bfd:', label: 'BFD sessions' };
    if (by === 'group') return lane.group === undefined ? { key: 'group:', label: '(in no sync group)' } : { key: `group:${lane.group}`, label: `sync group ${lane.group}` };
    if (by === 'interface') return { key: `if:${lane.iface ?? '?'}`, label: `interface ${lane.iface ?? '(unknown)'}` };
    if (lane.vrid === undefined) return { key: `inst:${lane.instance}`, label: lane.instance };
    return { key: `vrid:${lane.iface ?? ''}:${lane.vrid}`, label: `VRID ${lane.vrid}${lane.iface ? ` on ${lane.iface}` : ''}` };
  };

  /** Every filter word must match: `key=value` one field exactly, a plain word any field in part. */
  const matcher = (filter: string, at: number): ((lane: Lane) => boolean) => {
    const words = filter.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) return () => true;
    return (lane) => {
      const state = stateAt(lane, at).toLowerCase();
      const fields: Record<string, string> = {
        node: lane.node.toLowerCase(),
        instance: lane.instance.toLowerCase(),
        state,
        vrid: lane.vrid === undefined ? '' : String(lane.vrid),
        interface: (lane.iface ?? '').toLowerCase(),
        group: (lane.group ?? '').toLowerCase(),
        kind: lane.kind,
        neighbor: lane.neighbor ?? '',
      };
      return words.every((w) => {
        const eq = w.indexOf('=');
        if (eq > 0) {
          const name = w.slice(0, eq) === 'iface' ? 'interface' : w.slice(0, eq);
          return fields[name] === w.slice(eq + 1);
        }
        return Object.values(fields).some((v) => v.includes(w));
      });
    };
  };

  const changedIn = (lane: Lane, from: number, to: number): boolean => {
    // A lane's first state is where it starts, not a change.
    for (let i = 1; i < lane.segments.length; i++) {
      const t = lane.segments[i]!.t;
      if (t > from && t <= to) return true;
    }
    for (const d of downs.get(lane.node) ?? []) {
      if (d.from > from && d.from <= to) return true;
      if (d.to !== undefined && d.to > from && d.to <= to) return true;
    }
    return false;
  };

  /** What makes two lanes look the same: their states, VIP periods and DOWN bands, times to the quantum. */
  const signature = (lane: Lane, q: number): string => {
    const r = (t: number | undefined): string => (t === undefined ? '-' : String(Math.round(t / q)));
    const parts: string[] = [];
    for (const s of lane.segments) parts.push(`${s.state}@${r(s.t)}`);
    parts.push('|');
    for (const v of lane.vips) parts.push(`${r(v.from)}-${r(v.to)}`);
    parts.push('|');
    for (const d of downs.get(lane.node) ?? []) parts.push(`${r(d.from)}-${r(d.to)}`);
    return parts.join(' ');
  };

  const rows = (q: LaneQuery): { rows: LaneRow[]; matching: Lane[] } => {
    const keep = matcher(q.filter, q.at);
    const groups = new Map<string, { label: string; lanes: Lane[] }>();
    const matching: Lane[] = [];
    for (const lane of lanes) {
      if (!keep(lane)) continue;
      if (q.changedIn && !changedIn(lane, q.changedIn.from, q.changedIn.to)) continue;
      matching.push(lane);
      const g = groupOf(lane, q.groupBy);
      const entry = groups.get(g.key) ?? { label: g.label, lanes: [] };
      entry.lanes.push(lane);
      groups.set(g.key, entry);
    }
    const out: LaneRow[] = [];
    const quantum = Math.max(q.quantumMs, 1e-3);
    for (const [key, g] of groups) {
      const collapsed = q.collapsed.has(key);
      out.push({ kind: 'group', key, label: g.label, lanes: g.lanes, collapsed });
      if (collapsed) continue;
      const merged = new Map<string, Lane[]>();
      for (const lane of g.lanes) {
        const sig = signature(lane, quantum);
        const list = merged.get(sig);
        if (list) list.push(lane);
        else merged.set(sig, [lane]);
      }
      for (const members of merged.values()) {
        const first = members[0]!;
        const expanded = members.length > 1 && q.expanded.has(first.key);
        out.push({ kind: 'lane', lane: first, members, expanded, member: false });
        if (expanded) for (const m of members.slice(1)) out.push({ kind: 'lane', lane: m, members: [m], expanded: false, member: true });
      }
    }
    return { rows: out, matching };
  };

  return { lanes, downs, faults, version: () => version, add, stateAt, downAt, rows };
}
