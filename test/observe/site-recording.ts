/**
 * A recording of a whole site over hours, generated record by record in the shapes the inspection stream
 * writes (machine, actor, step, bus transition and VIP, fault, process): `nodes` routers (r1, r2, …, priorities
 * 100, 90, 80, …) × `instances` VRRP instances (VI_n, VRID n, eth0 for the first half and eth1 for the rest),
 * and a known set of incidents, so that the page's tests and benchmark can say what the page must show where:
 *
 * - r1 masters every instance from 3.6 s;
 * - at 1 h r1 crashes (its process DOWN, its VIPs left in the kernel) and r2 takes over 3.3 s later; at 1 h 10 min
 *   r1 restarts (its addresses cleared), comes up BACKUP and preempts back 3.6 s later;
 * - at 2 h a tracked script on the last node fails for VRIDs 100-120 (FAULT), and recovers at 2 h 5 min;
 * - at 30 min past every hour r2's VI_7 is MASTER for 2 s (a flaky link), so its lane differs from its peers';
 * - every minute a few instances report a new effective priority (facts only, no change of state).
 *
 * Deterministic: the same options give the same records.
 */
import { vrrpInstanceMachine } from '../../machines/vrrp-instance.js';
import { machineGraph } from '../../observe/machine-graph.js';
import type { ObservedEvent } from '../../observe/observed-event.js';

export interface SiteOptions {
  readonly nodes?: number;
  readonly instances?: number;
  readonly hours?: number;
}

export interface SiteRecording {
  readonly events: ObservedEvent[];
  readonly endMs: number;
  readonly nodes: readonly string[];
  readonly instances: number;
  /** When things happen, for the tests. */
  readonly at: { readonly crash: number; readonly restart: number; readonly trackDown: number; readonly trackUp: number; readonly blips: readonly number[] };
  /** VRIDs that go FAULT on the last node at `trackDown`. */
  readonly faultVrids: readonly number[];
}

const HOUR = 3_600_000;
const MIN = 60_000;
type State = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
const PATH: Record<State, string[]> = {
  INIT: ['INIT.idle'],
  BACKUP: ['BACKUP.preempt.idle', 'BACKUP.timer.waiting'],
  MASTER: ['MASTER.advertising', 'MASTER.garp.idle'],
  FAULT: ['FAULT'],
};

export function siteRecording(options: SiteOptions = {}): SiteRecording {
  const nodeCount = options.nodes ?? 3;
  const count = options.instances ?? 255;
  const hours = Math.max(3, options.hours ?? 4);
  const endMs = hours * HOUR;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `r${i + 1}`);
  const priority = (node: string): number => 110 - 10 * Number(node.slice(1));
  const iface = (vrid: number): string => (vrid <= Math.ceil(count / 2) ? 'eth0' : 'eth1');
  const vip = (vrid: number): string => `192.168.${78 + (vrid >> 8)}.${vrid & 255}/32`;
  const out: ObservedEvent[] = [];
  const state = new Map<string, State>();
  const holding = new Map<string, boolean>();
  const down = new Set<string>();

  const startActors = (t: number, node: string): void => {
    for (let i = 1; i <= count; i++) {
      const actor = `${node}/VI_${i}`;
      out.push({ kind: 'actor', at: t, actor, node, id: `VI_${i}`, machine: 'vrrp' });
      out.push({ kind: 'step', at: t, actor, event: 'xstate.init', state: PATH.INIT, changed: true, info: { effectivePriority: priority(node), masterAddress: null, syncFault: false } });
      state.set(actor, 'INIT');
    }
  };
  const move = (t: number, node: string, i: number, to: State, event: string): void => {
    const actor = `${node}/VI_${i}`;
    const from = state.get(actor) ?? 'INIT';
    if (from === to || down.has(node)) return;
    state.set(actor, to);
    out.push({ kind: 'step', at: t, actor, event, state: PATH[to], changed: true });
    out.push({
      kind: 'bus',
      at: t,
      message: { kind: 'transition', at: t, node, instance: `VI_${i}`, from, to, priority: priority(node), vrid: i, interface: iface(i) },
    });
    if (to === 'MASTER' && !holding.get(actor)) {
      holding.set(actor, true);
      out.push({ kind: 'bus', at: t, message: { kind: 'vip', at: t, node, instance: `VI_${i}`, address: vip(i), action: 'add' } });
    }
    if (from === 'MASTER' && holding.get(actor)) {
      holding.set(actor, false);
      out.push({ kind: 'bus', at: t, message: { kind: 'vip', at: t, node, instance: `VI_${i}`, address: vip(i), action: 'del' } });
    }
  };

  out.push({ kind: 'machine', at: 0, graph: machineGraph(vrrpInstanceMachine) });
  for (const node of nodes) startActors(0, node);
  for (const node of nodes) for (let i = 1; i <= count; i++) move(0, node, i, 'BACKUP', 'START');
  for (let i = 1; i <= count; i++) move(3609.375 + i * 0.01, 'r1', i, 'MASTER', 'MASTER_DOWN');

  // 1 h: r1 crashes; r2 takes over after its Master_Down_Interval. Its VIPs stay (a crash leaves them).
  const crash = HOUR;
  out.push({ kind: 'fault', at: crash, text: 'crash r1' });
  out.push({ kind: 'process', at: crash, node: 'r1', up: false, cause: 'crash' });
  down.add('r1');
  for (let i = 1; i <= count; i++) move(crash + 3258.8 + i * 0.3, 'r2', i, 'MASTER', 'MASTER_DOWN');
  // 1 h 10 min: r1 restarts (a reboot clears its addresses), comes up BACKUP and preempts.
  const restart = HOUR + 10 * MIN;
  out.push({ kind: 'fault', at: restart, text: 'restart r1' });
  for (let i = 1; i <= count; i++) {
    if (holding.get(`r1/VI_${i}`)) out.push({ kind: 'bus', at: restart, message: { kind: 'vip', at: restart, node: 'r1', instance: '-', address: vip(i), action: 'del' } });
    holding.set(`r1/VI_${i}`, false);
  }
  down.delete('r1');
  out.push({ kind: 'process', at: restart, node: 'r1', up: true, cause: 'restart' });
  startActors(restart, 'r1');
  for (let i = 1; i <= count; i++) move(restart, 'r1', i, 'BACKUP', 'START');
  for (let i = 1; i <= count; i++) {
    move(restart + 3609.375 + i * 0.01, 'r1', i, 'MASTER', 'MASTER_DOWN');
    move(restart + 3610.375 + i * 0.01, 'r2', i, 'BACKUP', 'ADVERTISEMENT');
  }

  // 2 h: a tracked script fails on the last node for VRIDs 100-120, and recovers 5 minutes later.
  const last = nodes[nodes.length - 1]!;
  const faultVrids = Array.from({ length: 21 }, (_, k) => 100 + k).filter((v) => v <= count);
  const trackDown = 2 * HOUR;
  const trackUp = 2 * HOUR + 5 * MIN;
  out.push({ kind: 'fault', at: trackDown, text: `track ${last} chk_db down` });
  for (const v of faultVrids) move(trackDown + 1000 + v, last, v, 'FAULT', 'TRACK');
  out.push({ kind: 'fault', at: trackUp, text: `track ${last} chk_db up` });
  for (const v of faultVrids) move(trackUp + 1000 + v, last, v, 'BACKUP', 'TRACK');

  // Half past every hour: r2's VI_7 is MASTER for 2 s.
  const blips: number[] = [];
  for (let h = 0; h < hours; h++) {
    const t = h * HOUR + 30 * MIN;
    if (count < 7) break;
    blips.push(t);
    move(t, 'r2', 7, 'MASTER', 'MASTER_DOWN');
    move(t + 2000, 'r2', 7, 'BACKUP', 'ADVERTISEMENT');
  }

  // Every minute a few instances report a new effective priority (facts only).
  for (let m = 1; m < hours * 60; m++) {
    const t = m * MIN + 500;
    for (let k = 0; k < 4; k++) {
      const node = nodes[(m + k) % nodes.length]!;
      if ((node === 'r1' && t >= crash && t < restart) || count === 0) continue;
      const i = ((m * 7 + k * 31) % count) + 1;
      const actor = `${node}/VI_${i}`;
      out.push({ kind: 'step', at: t, actor, event: 'TRACK', state: PATH[state.get(actor) ?? 'BACKUP'], changed: false, info: { effectivePriority: priority(node) - (m % 5), masterAddress: null, syncFault: false } });
    }
  }

  // Records in time order (ties keep the order they were made in).
  const sorted = out.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
  return { events: sorted, endMs, nodes, instances: count, at: { crash, restart, trackDown, trackUp, blips }, faultVrids };
}
