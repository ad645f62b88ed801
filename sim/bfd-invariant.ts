/**
 * bfd_tracking: a dead tracked neighbour puts the instance in FAULT within its detection time (issue 15). For each
 * BFD session that fell from Up on Control Detection Time Expired, on a node whose instances track it with
 * weight 0 (not reversed, as keepalived's track_bfd makes FAULT): the session went Down no later than one
 * Detection Time after the last packet it received, and at that moment every such instance is FAULT (it entered
 * FAULT then, or was FAULT already). Runs with no such tracking are not judged.
 */
import type { BusMessage } from '../actors/bus.js';
import type { VrrpNodeSpec } from '../actors/vrrp/instance-spec.js';
import type { InvariantResult } from './invariants.js';
import type { TimelineTransition } from './timeline.js';

export type BfdDown = Extract<BusMessage, { kind: 'bfd' }>;

export interface BfdInvariantInput {
  /** Every BFD change of state the nodes published. */
  readonly changes: readonly BfdDown[];
  readonly specs: ReadonlyMap<string, VrrpNodeSpec>;
  readonly transitions: readonly TimelineTransition[];
}

const EPS = 1e-6;

/** The instance's state at time t (its last transition at or before t; INIT before any). */
function stateAt(transitions: readonly TimelineTransition[], node: string, instance: string, t: number): string {
  let state = 'INIT';
  for (const x of transitions) if (x.node === node && x.instance === instance && x.t_ms <= t + EPS) state = x.to;
  return state;
}

export function checkBfdTracking(input: BfdInvariantInput): InvariantResult | undefined {
  const tracking = new Map<string, { node: string; instance: string }[]>();
  for (const [node, spec] of input.specs) {
    for (const i of spec.instances) {
      for (const t of i.trackers) {
        if (!t.id.startsWith('bfd:') || t.weight !== 0 || t.reverse === true) continue;
        const key = `${node}|${t.id.slice(4)}`;
        tracking.set(key, [...(tracking.get(key) ?? []), { node, instance: i.name }]);
      }
    }
  }
  if (tracking.size === 0) return undefined;
  const problems: string[] = [];
  let judged = 0;
  for (const c of input.changes) {
    if (c.from !== 'Up' || c.to !== 'Down' || c.diag !== 1) continue;
    const instances = tracking.get(`${c.node}|${c.session}`);
    if (instances === undefined) continue;
    judged++;
    if (c.sinceLastPacketMs !== undefined && c.detectionTimeMs !== undefined && c.sinceLastPacketMs > c.detectionTimeMs + EPS) {
      problems.push(`${c.node} bfd ${c.session} Down ${c.sinceLastPacketMs} ms after its last packet (Detection Time ${c.detectionTimeMs} ms)`);
    }
    for (const i of instances) {
      const state = stateAt(input.transitions, i.node, i.instance, c.at);
      if (state !== 'FAULT') problems.push(`${i.node} ${i.instance} ${state} at ${c.at} ms, when bfd ${c.session} went Down`);
    }
  }
  return {
    name: 'bfd_tracking',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${judged} session(s) down, each tracking instance FAULT within the Detection Time` : problems.slice(0, 5).join('; '),
  };
}
