/**
 * Issue 18's demo scenario on an ECMP topology (topology.ts): N client flows, a director's vigil killed, a real
 * server failed, and the report the demo prints. Importing this module does nothing.
 *
 *  1. N keep-alive connections from distinct source ports, one request each: which real server answered each
 *     flow, and which director carried it (each director's counter of new connections).
 *  2. SIGKILL to d1's vigil: the time until the upstream's kernel changes the route, losing d1 (withdraw_ms). Then one more request
 *     on every connection: d1's connections now reach d2 or d3, which pick them up mid-stream and send them, by
 *     the same Maglev table, to the same real server. moved_on_director_loss: flows answered by another server.
 *  3. A real server killed; once the surviving directors have dropped it from their tables, every connection is
 *     reset and opened again from the same source port (same 5-tuple): moved_on_server_loss is the share of flows
 *     that now reach another server than in step 1 (the dead server's share, and no more with Maglev).
 * errors: requests that got no answer (a timeout, a reset), in every step.
 */
import type { Answers, EcmpTopology } from './topology.js';
import { VIP, VIP_PORT, SERVER_PORT } from './topology.js';
import { maglevFlowPicker } from '../../transport/lb/maglev-flows.js';
import type { AddressService } from '../../machines/desired-state.js';

export interface EcmpReport {
  readonly directors: number;
  readonly flows: number;
  readonly per_director: Record<string, number>;
  readonly per_server: Record<string, number>;
  readonly withdraw_ms: number;
  readonly moved_on_director_loss: number;
  readonly moved_on_server_loss: number;
  readonly errors: number;
}

/** What the report leaves out that the tests look at. */
export interface EcmpDetails {
  /** The failed server's share of flows in step 1. */
  readonly failedServerShare: number;
  /** Flows each surviving director picked up from d1 in step 2. */
  readonly pickedUp: Record<string, number>;
  readonly nextHopsBefore: readonly string[];
  readonly nextHopsAfter: readonly string[];
  /** Flows answered by another server than the Maglev table of the live pool gives (a flow's 5-tuple, jhash, the slot), per step. */
  readonly offTable: { readonly open: number; readonly afterDirectorLoss: number; readonly afterServerLoss: number };
  readonly answers: { readonly open: Answers; readonly afterDirectorLoss: Answers; readonly afterServerLoss: Answers };
  /** Errors per step. */
  readonly errorsByStep: { readonly open: number; readonly afterDirectorLoss: number; readonly afterServerLoss: number };
}

export interface EcmpScenarioOptions {
  readonly flows: number;
  /** First source port (default 20000). */
  readonly firstPort?: number;
  readonly log?: (line: string) => void;
}

const isError = (answer: string | undefined): boolean => answer === undefined || answer.startsWith('error:');

function errorsOf(answers: Answers, ports: readonly string[]): number {
  return ports.filter((p) => isError(answers[p])).length;
}

/** Flows answered by both and by different servers, over all flows. */
function moved(before: Answers, after: Answers, ports: readonly string[]): number {
  return ports.filter((p) => !isError(before[p]) && !isError(after[p]) && before[p] !== after[p]).length / ports.length;
}

export async function runEcmpScenario(topology: EcmpTopology, options: EcmpScenarioOptions): Promise<{ report: EcmpReport; details: EcmpDetails }> {
  const log = options.log ?? ((): void => undefined);
  const from = options.firstPort ?? 20000;
  const ports = Array.from({ length: options.flows }, (_, i) => String(from + i));
  const [d1] = topology.directors;
  const failed = topology.servers[1]!;
  if (d1 === undefined) throw new Error('no director');

  const nextHopsBefore = await topology.upstreamNextHops();
  const slots = await topology.maglevSlots(d1);
  const names = new Map(topology.servers.map((s) => [`${s.address}:${SERVER_PORT}`, s.name]));
  const predict = (pool: readonly string[]): ((port: string) => string | undefined) => {
    const service: AddressService = { kind: 'address', key: 'demo', protocol: 'tcp', family: 4, address: VIP, port: VIP_PORT, scheduler: 'mh', schedulerFlags: ['flag-2'], hashTableSize: slots, destinations: pool.map((address) => ({ address, port: SERVER_PORT, weight: 1, forwarding: 'NAT' as const })) };
    const pick = maglevFlowPicker(service);
    return (port) => names.get(pick({ source: topology.clientAddress, sourcePort: Number(port), destination: VIP, destinationPort: VIP_PORT, protocol: 'tcp' }) ?? '');
  };
  const offTable = (answers: Answers, pool: readonly string[]): number => {
    const expected = predict(pool);
    return ports.filter((p) => !isError(answers[p]) && answers[p] !== expected(p)).length;
  };
  const counts0 = await topology.newFlowCounts();
  log(`step 1: ${options.flows} flows`);
  const first = await topology.client.open(from, from + options.flows);
  const counts1 = await topology.newFlowCounts();
  const perDirector: Record<string, number> = {};
  topology.directors.forEach((d, i) => (perDirector[d.name] = counts1[i]! - counts0[i]!));
  const perServer: Record<string, number> = {};
  for (const s of topology.servers) perServer[s.name] = 0;
  for (const p of ports) if (!isError(first[p])) perServer[first[p]!] = (perServer[first[p]!] ?? 0) + 1;

  log(`step 2: SIGKILL to ${d1.name}'s vigil`);
  const survivors = topology.directors.filter((d) => d !== d1).map((d) => d.front);
  const watch = topology.watchUpstreamRoutes();
  await new Promise((r) => setTimeout(r, 200)); // the monitor listening
  const t0 = performance.now();
  await topology.killVigil(d1);
  await topology.waitForNextHops(survivors, Math.max(30_000, topology.holdTime * 1000 * 3));
  // The kernel's notification of the changed route; the poll's own time if the monitor missed it.
  const withdrawMs = (watch.firstAfter(t0)?.at ?? performance.now()) - t0;
  watch.stop();
  const nextHopsAfter = await topology.upstreamNextHops();
  const second = await topology.client.ask();
  const counts2 = await topology.newFlowCounts();
  const pickedUp: Record<string, number> = {};
  topology.directors.forEach((d, i) => {
    if (d !== d1) pickedUp[d.name] = counts2[i]! - counts1[i]!;
  });

  log(`step 3: ${failed.name} fails`);
  topology.failServer(failed);
  const live = topology.directors.filter((d) => d !== d1);
  for (const d of live) {
    const start = performance.now();
    while ((await topology.maglevServers(d)).includes(failed.address)) {
      if (performance.now() - start > 60_000) throw new Error(`${d.name} kept ${failed.name} in its Maglev map for 60 s\n${d.vigilLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await topology.client.reset();
  const third = await topology.client.open(from, from + options.flows);

  const errorsByStep = { open: errorsOf(first, ports), afterDirectorLoss: errorsOf(second, ports), afterServerLoss: errorsOf(third, ports) };
  const report: EcmpReport = {
    directors: topology.directors.length,
    flows: options.flows,
    per_director: perDirector,
    per_server: perServer,
    withdraw_ms: Math.round(withdrawMs),
    moved_on_director_loss: moved(first, second, ports),
    moved_on_server_loss: moved(first, third, ports),
    errors: errorsByStep.open + errorsByStep.afterDirectorLoss + errorsByStep.afterServerLoss,
  };
  const all = topology.servers.map((s) => s.address);
  const offTableByStep = { open: offTable(first, all), afterDirectorLoss: offTable(second, all), afterServerLoss: offTable(third, all.filter((a) => a !== failed.address)) };
  return { report, details: { offTable: offTableByStep, answers: { open: first, afterDirectorLoss: second, afterServerLoss: third }, failedServerShare: (perServer[failed.name] ?? 0) / options.flows, pickedUp, nextHopsBefore, nextHopsAfter, errorsByStep } };
}
