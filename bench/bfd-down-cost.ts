/**
 * What one BFD session going Down costs the thread its sessions run on (issue 15): the deterministic part of
 * bench/bfd-detection.ts, in-process. A hundred sessions (as the BFD worker runs them: InProcessBfdHost, each
 * change posted on a MessageChannel as bfd-worker.ts posts it to the VRRP thread) are Up at 10 ms x 3 with a peer
 * on the simulated segment (virtual clock); the peer falls silent and every session expires. Each step of the
 * virtual clock is timed in CPU time (process.cpuUsage: the host is shared, and wall-clock time counts the other
 * work too). A step in which a session's Down was reported is what stood between its expiry and the VRRP side
 * hearing of it; the window's total (the 60 ms from the peer's silence: every Down, whatever work it left for
 * later, and the packets of the sessions still Up) is what the burst costs. The first round runs in a fresh
 * process (cold code, as in the daemon, where each session goes Down once), later rounds warm.
 *
 * Then the same on the real clock (transport/real/real-clock.ts, precise timers), the peer's sessions on the same
 * thread and the segment's delivery on real timers: how late each Down is reported, from its Detection Time after
 * the last packet the session received (what bench/bfd-detection.ts calls "own", without the namespaces and the
 * worker thread). Wall-clock time: on a shared host, read it with the load average printed.
 *
 * VIGIL_BENCH_BFD_SESSIONS sets the number of sessions (default 100), VIGIL_BENCH_BFD_ROUNDS the rounds (default 5).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { loadavg } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { InProcessBfdHost } from '../actors/bfd/bfd-host.js';
import { BfdNode } from '../actors/bfd/bfd-node.js';
import type { BfdSessionSpec } from '../actors/bfd/bfd-session-spec.js';
import { forwardBfdEvents } from '../actors/daemon/bfd-forward.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { SeededRandom } from '../sim/seeded-random.js';
import { LanSegment } from '../sim/lan-segment.js';
import { SimulatedBfdLink } from '../sim/simulated-bfd-link.js';
import { RealClock } from '../transport/real/real-clock.js';
import type { Clock } from '../machines/clock.js';
import type { Random } from '../transport/random.js';
import type { BfdLink } from '../transport/bfd-link.js';
import { bfdSessionSpec } from '../test/bfd-session-spec.js';

const SESSIONS = Number(process.env['VIGIL_BENCH_BFD_SESSIONS'] ?? 100);
const ROUNDS = Number(process.env['VIGIL_BENCH_BFD_ROUNDS'] ?? 5);
const PEER = '192.168.77.10';
const ourAddress = (i: number): string => `192.168.77.${100 + i}`;

const spec = (name: string, neighbor: string, source: string): BfdSessionSpec => bfdSessionSpec(name, neighbor, source);

interface Round {
  /** CPU microseconds of each step in which a session's Down was reported. */
  readonly downs: number[];
  /** Of the whole window. */
  total: number;
}

function cpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Our sessions as the worker runs them, and a peer's, on one segment. */
function world(clock: Clock, random: Random) {
  const segment = new LanSegment('lan', clock, random, { latencyMs: 0.05, jitterMs: 0.02, loss: 0, duplication: 0, reorder: 0 });
  const ours = segment.attach('us', 'eth0');
  const theirs = segment.attach('peer', 'eth0');
  for (let i = 0; i < SESSIONS; i++) ours.addresses.add(ourAddress(i));
  theirs.addresses.add(PEER);
  const host = new InProcessBfdHost(new SimulatedBfdLink([ours], random), clock, random);
  // As the worker hands changes to the VRRP thread: posted at once (structured clone and all), read by nobody here.
  const channel = new MessageChannel();
  channel.port1.unref();
  channel.port2.unref();
  forwardBfdEvents(host.events$, (events) => channel.port1.postMessage({ t: 'events', events }), setImmediate);
  host.apply(
    Array.from({ length: SESSIONS }, (_, i) => spec(`s${i}`, PEER, ourAddress(i))),
    1,
  );
  const peerSpecs = Array.from({ length: SESSIONS }, (_, i) => spec(`p${i}`, ourAddress(i), PEER));
  /**
   * A peer whose sessions come Up with ours; `silence` makes it fall silent at once (its sends dropped, nothing
   * else done on the thread, as a killed bfdd), `stop` ends it once the measurement is over.
   */
  const peer = (): { silence(): void; stop(): void } => {
    let silent = false;
    const inner = new SimulatedBfdLink([theirs], random);
    const link: BfdLink = {
      packets$: inner.packets$,
      openSender: (options) => {
        const sender = inner.openSender(options);
        return { ...sender, sourcePort: sender.sourcePort, send: (bytes) => (silent ? undefined : sender.send(bytes)), close: () => sender.close() };
      },
      close: () => inner.close(),
    };
    const node = new BfdNode(link, clock, random, peerSpecs);
    node.start();
    return { silence: () => (silent = true), stop: () => node.stop() };
  };
  const stop = (): void => {
    host.stop();
    channel.port1.close();
  };
  return { host, peer, stop };
}

/** On the real clock: how late each Down is reported after its Detection Time, milliseconds, a round at a time. */
async function realClock(): Promise<void> {
  const clock = new RealClock();
  const w = world(clock, new SeededRandom(16));
  const late: number[][] = [];
  let current: number[] = [];
  const up = new Set<string>();
  w.host.events$.subscribe((e) => {
    if (e.kind !== 'change') return;
    const c = e.change;
    if (c.to === 'Up') up.add(c.name);
    else up.delete(c.name);
    if (c.to === 'Down' && c.from === 'Up' && c.lastReceivedAt !== undefined && c.detectionTimeMs !== undefined) current.push(c.at - c.lastReceivedAt - c.detectionTimeMs);
  });
  const rounds = Math.min(ROUNDS, 3);
  for (let r = 0; r < rounds; r++) {
    const peer = w.peer();
    const end = performance.now() + 60_000;
    // Up, and at 10 ms (the Poll ended), then a second of the steady state.
    while (!(up.size === SESSIONS && w.host.sessions().every((s) => s.detectionTimeMs === 30)) && performance.now() < end) await delay(100);
    await delay(1000);
    current = [];
    const flapped = SESSIONS - up.size;
    peer.silence();
    await delay(500);
    peer.stop();
    late.push(current);
    if (flapped > 0 || current.length !== SESSIONS) console.log(`# round ${r + 1}: ${flapped} not Up at the kill, ${current.length} Down from Up`);
  }
  w.stop();
  console.log(`The same on the real clock, the peer on the same thread. Milliseconds a Down is reported after its Detection Time. Load average ${load()}.`);
  console.log('round         late p50/p99/max');
  for (const [i, xs] of late.entries()) console.log(`${(i === 0 ? '1 (cold)' : String(i + 1)).padEnd(13)} ${percentile(xs, 50).toFixed(2)}/${percentile(xs, 99).toFixed(2)}/${Math.max(...xs).toFixed(2)}`);
}

export async function run(): Promise<void> {
  await virtualClock();
  await realClock();
}

async function virtualClock(): Promise<void> {
  const clock = new VirtualClock();
  const w = world(clock, new SeededRandom(15));
  let downs = 0;
  let ups = 0;
  w.host.events$.subscribe((e) => {
    if (e.kind !== 'change') return;
    if (e.change.to === 'Down') downs++;
    if (e.change.to === 'Up') ups++;
  });
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const peer = w.peer();
    const upsBefore = ups;
    clock.runFor(5000);
    if (ups - upsBefore !== SESSIONS) throw new Error(`round ${r + 1}: ${ups - upsBefore} of ${SESSIONS} sessions came Up`);
    peer.silence();
    const round: Round = { downs: [], total: 0 };
    const end = clock.now() + 60;
    while ((clock.peek() ?? Infinity) <= end) {
      const before = downs;
      const t0 = cpu();
      clock.step();
      const us = cpu() - t0;
      round.total += us;
      if (downs > before) round.downs.push(us);
    }
    if (round.downs.length !== SESSIONS) throw new Error(`round ${r + 1}: ${round.downs.length} of ${SESSIONS} sessions went Down`);
    peer.stop();
    rounds.push(round);
    clock.runFor(2000);
  }
  w.stop();
  console.log(`${SESSIONS} sessions at 10 ms x 3 going Down together, in-process (virtual clock, changes posted on a MessageChannel). CPU microseconds. Load average ${load()}.`);
  console.log('round         step reporting a Down p50/p99/max/sum   window total / per Down');
  for (const [i, r] of rounds.entries()) {
    const f = (x: number): string => x.toFixed(0);
    const sum = r.downs.reduce((a, b) => a + b, 0);
    console.log(`${(i === 0 ? '1 (cold)' : String(i + 1)).padEnd(13)} ${`${f(percentile(r.downs, 50))}/${f(percentile(r.downs, 99))}/${f(Math.max(...r.downs))}/${f(sum)}`.padEnd(37)} ${f(r.total)} / ${f(r.total / SESSIONS)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
