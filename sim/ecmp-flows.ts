/**
 * Client flows through an ECMP router to active-active directors running lb_algo mh (Maglev), judged over the
 * run: at every moment when the announcing directors all hold the same pool (a consistent moment), each flow has
 * a director (sim/ecmp-router.ts) and a real server (the director's Maglev map, transport/lb/maglev-flows.ts).
 * Between two consistent moments:
 *   - ecmp_director_change_keeps_servers: the pool is the same and only the directors changed (one failed, or came
 *     back): no flow changes real server.
 *   - ecmp_server_change_moves_its_share: one real server left (or joined) the pool: the flows that change real
 *     server are at most that server's share of the flows plus 2 % (Maglev's bound, protocol/maglev.ts).
 * Moments in between (the directors noticing a server's failure one after the other) are not judged.
 */
import { liveDestinations, type VirtualService } from '../machines/desired-state.js';
import { maglevFlowPicker, type Flow } from '../transport/lb/maglev-flows.js';
import { clientFlows, ecmpNextHop } from './ecmp-router.js';
import type { InvariantResult } from './invariants.js';
import type { ServiceChange } from './sim-directors.js';
import type { AnnouncementChange } from './simulated-route-announcer.js';
import type { SeededRandom } from './seeded-random.js';

/** What the flows did, per judged service (the shape of issue 18's report). */
export interface EcmpReport {
  readonly service: string;
  readonly directors: number;
  readonly flows: number;
  /** At the first consistent moment with the most directors. */
  readonly per_director: Readonly<Record<string, number>>;
  readonly per_server: Readonly<Record<string, number>>;
  /** The largest fraction of flows that changed real server when a director went; 0 is the invariant. */
  readonly moved_on_director_loss: number;
  /** The largest fraction that changed real server when one server went, and that server's share then. */
  readonly moved_on_server_loss: number;
  readonly lost_server_share: number;
  /** Flow-moments with no director or no server (no director announcing). */
  readonly errors: number;
  readonly moments: number;
}

/** The extra share of flows a server's loss may move beyond its own (Maglev's disruption bound). */
export const SERVER_LOSS_SLACK = 0.02;

interface Moment {
  readonly t: number;
  readonly directors: readonly string[];
  /** The pool every announcing director holds ("name=weight" sorted), or undefined when they differ. */
  readonly pool: string | undefined;
  readonly servers: readonly (string | undefined)[];
  readonly byDirector: readonly (string | undefined)[];
}

const poolText = (s: VirtualService): string =>
  liveDestinations(s)
    .map((d) => `${d.address}:${d.port}=${d.weight}`)
    .sort()
    .join(',');

/** One step of a director's state: its pool for the service changed, or its announcement of the service's address. */
type Step = { readonly t: number; readonly node: string } & ({ readonly pool: ServiceChange } | { readonly announced: boolean });

function moments(changes: readonly ServiceChange[], flows: readonly Flow[], announcements: readonly AnnouncementChange[] | undefined): Moment[] {
  const state = new Map<string, VirtualService | undefined>();
  const announced = new Map<string, boolean>();
  const pickers = new WeakMap<VirtualService, (f: Flow) => string | undefined>();
  const out: Moment[] = [];
  // Stable: at one instant, pools before announcements (both are judged together below).
  const steps: Step[] = [
    ...changes.map((c) => ({ t: c.t_ms, node: c.node, pool: c })),
    ...(announcements ?? []).map((a) => ({ t: a.t_ms, node: a.node, announced: a.announced })),
  ].sort((a, b) => a.t - b.t);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if ('pool' in step) state.set(step.node, step.pool.state);
    else announced.set(step.node, step.announced);
    if (steps[i + 1]?.t === step.t) continue; // the changes of one instant together
    // A director is a next hop while the router has its route: announced (announce_table), else while its pool is not empty.
    const announcing = [...state]
      .filter(([n, s]) => s !== undefined && liveDestinations(s).length > 0 && (announcements === undefined || announced.get(n) === true))
      .map(([n]) => n)
      .sort();
    const pools = new Set(announcing.map((n) => poolText(state.get(n)!)));
    const byDirector = flows.map((f) => ecmpNextHop(f, announcing));
    const servers = flows.map((f, k) => {
      const d = byDirector[k];
      if (d === undefined) return undefined;
      const s = state.get(d)!;
      let pick = pickers.get(s);
      if (pick === undefined) pickers.set(s, (pick = maglevFlowPicker(s)));
      return pick(f);
    });
    out.push({ t: step.t, directors: announcing, pool: pools.size === 1 ? [...pools][0] : announcing.length === 0 ? '' : undefined, servers, byDirector });
  }
  return out;
}

const count = (values: readonly (string | undefined)[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== undefined) out[v] = (out[v] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
};

/**
 * Judges the flows of every lb_algo mh address service the directors programmed. The router's next hops for a
 * service are the directors announcing its address (`announcements`, announce_table) when any director does,
 * else (no announce_table) the directors whose pool is not empty.
 */
export function judgeEcmpFlows(
  changes: readonly ServiceChange[],
  flowCount: number,
  random: SeededRandom,
  announcements: readonly AnnouncementChange[] = [],
): { reports: EcmpReport[]; invariants: InvariantResult[] } {
  const keys = [...new Set(changes.filter((c) => c.state?.scheduler === 'mh' && c.state.kind === 'address').map((c) => c.service))].sort();
  const reports: EcmpReport[] = [];
  const directorProblems: string[] = [];
  const serverProblems: string[] = [];
  let directorChanges = 0;
  let serverChanges = 0;
  for (const key of keys) {
    const mine = changes.filter((c) => c.service === key);
    const first = mine.find((c) => c.state?.kind === 'address')!.state as Extract<VirtualService, { kind: 'address' }>;
    const flows = clientFlows(random.fork(`flows:${key}`), flowCount, first.address, first.port, first.protocol);
    const mineAnnounced = announcements.filter((a) => a.vip === first.address);
    const all = moments(mine, flows, mineAnnounced.length > 0 ? mineAnnounced : undefined);
    const consistent = all.filter((m) => m.pool !== undefined && m.directors.length > 0);
    let movedDirector = 0;
    let movedServer = 0;
    let lostShare = 0;
    for (let i = 1; i < consistent.length; i++) {
      const [a, b] = [consistent[i - 1]!, consistent[i]!];
      const moved = a.servers.filter((s, k) => s !== b.servers[k]).length / flows.length;
      const before = new Set(a.pool!.split(',').map((x) => x.split('=')[0]!));
      const after = new Set(b.pool!.split(',').map((x) => x.split('=')[0]!));
      const gone = [...before].filter((x) => !after.has(x));
      const added = [...after].filter((x) => !before.has(x));
      if (a.pool === b.pool) {
        if (a.directors.join() === b.directors.join()) continue;
        directorChanges++;
        if (b.directors.length < a.directors.length) movedDirector = Math.max(movedDirector, moved);
        if (moved > 0) directorProblems.push(`${key} at ${b.t}ms: directors [${a.directors}] → [${b.directors}] moved ${(moved * 100).toFixed(2)} % of the flows to another real server`);
      } else if (gone.length + added.length === 1) {
        serverChanges++;
        const server = gone[0] ?? added[0]!;
        const share = (gone.length === 1 ? a : b).servers.filter((s) => s === server).length / flows.length;
        if (gone.length === 1 && moved > movedServer) {
          movedServer = moved;
          lostShare = share;
        }
        if (moved > share + SERVER_LOSS_SLACK) {
          serverProblems.push(`${key} at ${b.t}ms: ${server} ${gone.length === 1 ? 'left' : 'joined'} (share ${(share * 100).toFixed(2)} %) and ${(moved * 100).toFixed(2)} % of the flows moved`);
        }
      }
    }
    const widest = consistent.reduce<Moment | undefined>((w, m) => (w === undefined || m.directors.length > w.directors.length ? m : w), undefined);
    reports.push({
      service: key,
      directors: widest?.directors.length ?? 0,
      flows: flows.length,
      per_director: count(widest?.byDirector ?? []),
      per_server: count(widest?.servers ?? []),
      moved_on_director_loss: movedDirector,
      moved_on_server_loss: movedServer,
      lost_server_share: lostShare,
      errors: all.reduce((n, m) => n + m.servers.filter((s) => s === undefined).length, 0),
      moments: all.length,
    });
  }
  if (keys.length === 0) return { reports, invariants: [] };
  return {
    reports,
    invariants: [
      {
        name: 'ecmp_director_change_keeps_servers',
        ok: directorProblems.length === 0,
        detail: directorProblems.length === 0 ? `${directorChanges} change(s) of directors, ${flowCount} flows each kept their real server` : directorProblems.slice(0, 5).join('; '),
      },
      {
        name: 'ecmp_server_change_moves_its_share',
        ok: serverProblems.length === 0,
        detail:
          serverProblems.length === 0
            ? `${serverChanges} change(s) of one real server, each moving at most its share + ${SERVER_LOSS_SLACK * 100} % of ${flowCount} flows`
            : serverProblems.slice(0, 5).join('; '),
      },
    ],
  };
}
