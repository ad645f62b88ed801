/**
 * Folds an inspection stream (live, or read back from a flight recording) into one timeline: the actors, their
 * state changes, keepalived-named transitions, VIP changes, BFD sessions' changes, injected faults, warnings and
 * drop counts. The live
 * run and its replay must fold to the same value; `transitions` and `vips` have exactly the shape of a simulation
 * result's, so a recording of `vigil sim` can be compared with its `--json` output.
 */
import type { TimelineTransition, TimelineVip } from '../sim/timeline.js';
import { roundTime } from '../sim/timeline.js';
import type { MachineGraph } from './machine-graph.js';
import type { ActorInfo, ObservedEvent } from './observed-event.js';

export interface TimelineActor {
  readonly actor: string;
  readonly node: string;
  readonly id: string;
  readonly machine: string;
  readonly t_ms: number;
}

export interface TimelineStep {
  readonly t_ms: number;
  readonly actor: string;
  readonly event: string;
  readonly state: readonly string[];
}

export interface ObservedTimeline {
  readonly machines: Record<string, MachineGraph>;
  readonly actors: TimelineActor[];
  /** State changes of every actor (events that left the state as it was are not listed). */
  readonly steps: TimelineStep[];
  readonly transitions: TimelineTransition[];
  readonly vips: TimelineVip[];
  /** The same VIP changes with the instance that made them ('-': a reboot cleared the node's addresses). */
  readonly addressChanges: { readonly t_ms: number; readonly node: string; readonly instance: string; readonly address: string; readonly action: 'add' | 'del' }[];
  readonly faults: { readonly t_ms: number; readonly text: string }[];
  /** A node's process going down or coming up (crash, stop, restart, start). */
  readonly processes: { readonly t_ms: number; readonly node: string; readonly up: boolean; readonly cause: string }[];
  readonly warnings: { readonly t_ms: number; readonly node: string; readonly instance: string | null; readonly message: string }[];
  readonly syncs: { readonly t_ms: number; readonly node: string; readonly group: string; readonly from: string; readonly to: string }[];
  /** BFD sessions' changes of state (RFC 5880 names). */
  readonly bfd: { readonly t_ms: number; readonly node: string; readonly session: string; readonly from: string; readonly to: string }[];
  readonly drops: Record<string, number>;
  /**
   * Events that left their actor as it was, by event type: the unchanged steps and the runs of them the actors'
   * shortcuts answered (`steady` records, counted for as many events as they sum up).
   */
  readonly unchanged: Record<string, number>;
  /** Latest context facts of each actor. */
  readonly info: Record<string, ActorInfo>;
  advertsSent: number;
  /** Records folded, all kinds. */
  records: number;
}

export function emptyTimeline(): ObservedTimeline {
  return {
    machines: {},
    actors: [],
    steps: [],
    transitions: [],
    vips: [],
    addressChanges: [],
    faults: [],
    processes: [],
    warnings: [],
    syncs: [],
    bfd: [],
    drops: {},
    unchanged: {},
    info: {},
    advertsSent: 0,
    records: 0,
  };
}

export function foldEvent(timeline: ObservedTimeline, event: ObservedEvent): void {
  timeline.records++;
  const t_ms = roundTime(event.at);
  switch (event.kind) {
    case 'machine':
      timeline.machines[event.graph.id] = event.graph;
      return;
    case 'actor':
      timeline.actors.push({ actor: event.actor, node: event.node, id: event.id, machine: event.machine, t_ms });
      return;
    case 'step':
      if (event.info) timeline.info[event.actor] = event.info;
      if (event.changed) timeline.steps.push({ t_ms, actor: event.actor, event: event.event, state: event.state });
      else timeline.unchanged[event.event] = (timeline.unchanged[event.event] ?? 0) + 1;
      return;
    case 'steady':
      timeline.unchanged[event.event] = (timeline.unchanged[event.event] ?? 0) + event.count;
      return;
    case 'repeated':
      if (event.message.kind === 'advert_sent') timeline.advertsSent += event.count;
      return;
    case 'fault':
      timeline.faults.push({ t_ms, text: event.text });
      return;
    case 'process':
      timeline.processes.push({ t_ms, node: event.node, up: event.up, cause: event.cause });
      return;
    case 'bus': {
      const m = event.message;
      switch (m.kind) {
        case 'transition':
          timeline.transitions.push({ t_ms: roundTime(m.at), node: m.node, instance: m.instance, from: m.from, to: m.to });
          return;
        case 'vip':
          timeline.vips.push({ t_ms: roundTime(m.at), node: m.node, address: m.address, action: m.action });
          timeline.addressChanges.push({ t_ms: roundTime(m.at), node: m.node, instance: m.instance, address: m.address, action: m.action });
          return;
        case 'drop':
          timeline.drops[m.reason] = (timeline.drops[m.reason] ?? 0) + 1;
          return;
        case 'advert_sent':
          timeline.advertsSent++;
          return;
        case 'warning':
          timeline.warnings.push({ t_ms: roundTime(m.at), node: m.node, instance: m.instance ?? null, message: m.message });
          return;
        case 'sync':
          timeline.syncs.push({ t_ms: roundTime(m.at), node: m.node, group: m.group, from: m.from, to: m.to });
          return;
        case 'bfd':
          timeline.bfd.push({ t_ms: roundTime(m.at), node: m.node, session: m.session, from: m.from, to: m.to });
          return;
        default:
          return;
      }
    }
  }
}

export function foldEvents(events: Iterable<ObservedEvent>): ObservedTimeline {
  const timeline = emptyTimeline();
  for (const e of events) foldEvent(timeline, e);
  return timeline;
}
