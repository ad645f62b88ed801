/**
 * pool_matches_health: once the health checks have had time to notice (the detection bound), every live
 * director's pool for a virtual service is exactly the set of real servers that answer — or its sorry server
 * when none does. Virtual servers with ha_suspend, a quorum above 1 or hysteresis follow other rules and are
 * not judged here, nor are those with a BFD_CHECK (their real servers follow BFD sessions, not the servers' answers).
 *
 * Detection bound of a real server, from its checkers (keepalived's counting): the rest of the current delay_loop,
 * then retry + 1 probes that each take up to connect_timeout with delay_before_retry between them; back up, one
 * probe after the down-state delay. At a director's start: one second of bootstrap plus the warmup on top.
 */
import type { ResolvedVirtualServer } from '../actors/checks/resolve-checkers.js';
import type { InvariantResult } from './invariants.js';
import type { PoolChange } from './sim-directors.js';
import type { TimelineFault } from './timeline.js';
import type { SimServerMode } from './scenario.js';

export interface PoolInvariantInput {
  readonly durationMs: number;
  readonly pools: readonly PoolChange[];
  /** Per node, the virtual servers its configuration defines (as resolved by its first start). */
  readonly resolved: ReadonlyMap<string, readonly ResolvedVirtualServer[]>;
  readonly faults: readonly TimelineFault[];
  readonly initialServers: ReadonlyMap<string, SimServerMode>;
}

const EPS = 1e-6;

function bounds(vs: ResolvedVirtualServer): { change: number; start: number } {
  let change = 0;
  let start = 0;
  for (const rs of vs.realServers) {
    for (const c of rs.checkers) {
      const p = c.params;
      const detect = p.delayLoopMs + (p.retry + 1) * (p.timeoutMs + p.delayBeforeRetryMs) + p.delayWhileDownMs + p.timeoutMs;
      change = Math.max(change, detect);
      start = Math.max(start, 1000 + c.warmupMs + detect);
    }
  }
  return { change, start };
}

export function checkPoolsMatchHealth(input: PoolInvariantInput): InvariantResult | undefined {
  const judged: { node: string; vs: ResolvedVirtualServer }[] = [];
  for (const [node, list] of input.resolved) {
    for (const vs of list) {
      if (!vs.haSuspend && vs.quorum <= 1 && vs.hysteresis === 0 && !vs.realServers.some((rs) => rs.bfdChecks !== undefined)) judged.push({ node, vs });
    }
  }
  if (judged.length === 0) return undefined;
  const problems: string[] = [];
  let checks = 0;
  for (const { node, vs } of judged) {
    const { change, start } = bounds(vs);
    // Moments after which the pool may lag: the director (re)starting, and any of its real servers changing.
    const targets = new Set(vs.realServers.map((rs) => `${rs.address}:${rs.port}`));
    const state = new Map<string, SimServerMode>();
    for (const t of targets) state.set(t, input.initialServers.get(t) ?? 'up');
    type Mark = { t: number; settle: number; alive?: boolean; server?: [string, SimServerMode] };
    const marks: Mark[] = [{ t: 0, settle: start, alive: true }];
    for (const f of input.faults) {
      const a = f.action;
      if ((a.kind === 'crash' || a.kind === 'stop') && a.node === node) marks.push({ t: f.t_ms, settle: 0, alive: false });
      if ((a.kind === 'restart' || a.kind === 'start') && a.node === node) marks.push({ t: f.t_ms, settle: start, alive: true });
      if (a.kind === 'server' && targets.has(a.target)) marks.push({ t: f.t_ms, settle: change, server: [a.target, a.state] });
    }
    let alive = true;
    for (let i = 0; i < marks.length; i++) {
      const m = marks[i]!;
      if (m.alive !== undefined) {
        // A stopped director that is started again was already alive: its pool carries on (no new bootstrap).
        if (m.alive && alive && i > 0) continue;
        alive = m.alive;
      }
      if (m.server) state.set(m.server[0], m.server[1]);
      if (!alive) continue;
      const from = m.t + m.settle;
      const to = marks[i + 1]?.t ?? input.durationMs;
      if (from >= to - EPS) continue;
      const healthy = [...targets].filter((t) => state.get(t) === 'up').sort();
      const sorry = vs.sorryServer ? [`${vs.sorryServer.address}:${vs.sorryServer.port}`] : [];
      const expected = (healthy.length > 0 ? healthy : sorry).join(',');
      for (const service of vs.services) {
        const history = input.pools.filter((p) => p.node === node && p.service === service.key);
        const at = (t: number): string => {
          let current = '';
          for (const p of history) if (p.t_ms <= t + EPS) current = p.members.join(',');
          return current;
        };
        const instants = [from, ...history.filter((p) => p.t_ms > from && p.t_ms < to).map((p) => p.t_ms)];
        for (const t of instants) {
          checks++;
          const actual = at(t);
          if (actual !== expected) {
            problems.push(`${node} ${service.key} at ${t.toFixed(3)}ms: pool [${actual}], healthy [${expected}]`);
            break;
          }
        }
      }
    }
  }
  return {
    name: 'pool_matches_health',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${checks} checks of ${judged.length} virtual server(s)` : problems.slice(0, 5).join('; '),
  };
}
