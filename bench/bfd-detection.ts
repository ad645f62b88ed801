/**
 * BFD detection benchmark (issue 15): 100 sessions at 10 ms x 3 between the daemon under test (vigil, then
 * Debian's keepalived with the same configuration) and a peer (FRR's bfdd where installed, else vigil's BFD node in the test agent; one source
 * address per session); the peer falls silent at once and each session's detection is timed, while the daemon
 * also runs a VRRPv3 master at advert_int 0.05 s whose advertisement periods are measured meanwhile.
 *
 * Two figures of detection per session:
 * - "wire": from the peer's last control packet as tcpdump captured it on the daemon's interface (-tt, epoch
 *   microseconds) to the daemon's Down as its log stamps it (vigil's log: epoch milliseconds). keepalived's
 *   console log has no timestamps, so it has no wire figure.
 * - "own": what the daemon itself reports, from the last packet it received to its Down (keepalived "Expired after
 *   N ms", vigil "Expired after N ms" in its log): comparable between the two.
 * The goal (issue 15) is a p99 within the Detection Time (30 ms) + 2 ms. The advertisement period error is
 * |gap between two advertisements on the wire - 50 ms| while the 100 sessions run at full rate (goal p99 <= 2 ms).
 *
 * Needs root and namespaces (skipped with the reason otherwise). VIGIL_BENCH_BFD_SESSIONS sets the number of
 * sessions (default 100); VIGIL_BENCH_BFD_DAEMONS=vigil leaves keepalived out; VIGIL_BENCH_BFD_RT=N runs both
 * daemons' VRRP and BFD threads realtime at priority N.
 *
 * keepalived 2.2.7 does not keep a hundred sessions Up at 10 ms (a handful are, the rest flap): its figures at
 * that size are of the few. So with keepalived, the same run measures both daemons again at a size keepalived
 * holds, VIGIL_BENCH_BFD_SIDE_BY_SIDE sessions (default 10; 0 leaves it out), for a fair comparison.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan, netnsAvailable, type Lan, type LanHost } from '../test/netns/harness.js';
import { startDaemon, cleanupDir, type Daemon } from '../test/daemon/daemons.js';
import { startAgent, type Agent } from '../test/real/agent-client.js';
import { startFrrBfdd, startKeepalivedBfd, type BfdPeer } from '../test/real/bfd-peers.js';
import { loadConfigText } from '../config/load.js';
import { bfdSpecsFromConfig } from '../actors/bfd/specs-from-config.js';
import { captureAdverts, tcpdumpLines } from './tools/advert-capture.js';

const SESSIONS = Number(process.env['VIGIL_BENCH_BFD_SESSIONS'] ?? 100);
const SIDE_BY_SIDE = Number(process.env['VIGIL_BENCH_BFD_SIDE_BY_SIDE'] ?? 10);
const ADVERT_MS = 50;
const VIP = '192.168.77.250';

function percentile(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const fmt = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(2));

/**
 * Our address of session i (192.168.77.100 …), one per session: keepalived refuses two sessions between the same
 * two addresses, and FRR keeps one session per peer address.
 */
const ourAddress = (i: number): string => `192.168.77.${100 + i}`;

function bfdBlock(name: string, neighbor: string, source: string): string {
  return `bfd_instance ${name} {\n  neighbor_ip ${neighbor}\n  source_ip ${source}\n  min_rx 10\n  min_tx 10\n  multiplier 3\n}\n`;
}

/**
 * VIGIL_BENCH_BFD_RT=N: both daemons' VRRP and BFD threads (processes for keepalived) realtime at priority N
 * (vrrp_rt_priority, bfd_rt_priority), so that a host loaded by other work measures the daemon more than the queue
 * for its CPUs. The peer stays as it is (FRR's bfdd realtime with its debug log starved the host).
 */
const RT = process.env['VIGIL_BENCH_BFD_RT'];

function daemonConfig(peer: LanHost, sessions: number): string {
  const rt = RT === undefined ? '' : `  vrrp_rt_priority ${Number(RT)}\n  bfd_rt_priority ${Number(RT)}\n`;
  let text = `global_defs {\n  router_id us\n${rt}}\n`;
  for (let i = 0; i < sessions; i++) text += bfdBlock(`s${i}`, peer.ipv4, ourAddress(i));
  text += `vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  version 3\n  virtual_router_id 77\n  priority 200\n  advert_int 0.05\n  virtual_ipaddress {\n    ${VIP}/24\n  }\n}\n`;
  return text;
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Figures {
  /** CPU of the daemon (vigil: its one process) per 1,000 BFD packets a second received and sent, in % of a core. */
  readonly cpuPer1000: number | undefined;
  readonly wire: number[];
  readonly own: number[];
  readonly advertError: number[];
  readonly note: string;
}

/** Every BFD packet from the peer to our addresses, by our address: the time of the last one (epoch ms). */
function captureBfd(lan: Lan, us: LanHost, peer: LanHost): { last: Map<string, number>; ready: Promise<void>; stop: () => void } {
  const last = new Map<string, number>();
  const capture = tcpdumpLines(lan, us, `udp dst port 3784 and src host ${peer.ipv4}`, (line) => {
    const m = /^(\d+\.\d+) IP \S+ > (\d+\.\d+\.\d+\.\d+)\.3784:/.exec(line);
    if (m) last.set(m[2]!, Number(m[1]) * 1000);
  });
  return { last, ...capture };
}

/** BFD packets the vigil daemon has sent and received so far (its status). */
async function bfdPackets(lan: Lan, us: LanHost, daemon: Daemon): Promise<number | undefined> {
  try {
    const { stdout } = await lan.exec(us.ns, ['bin/vigil', 'status', '--json', '--socket', daemon.statusSocket]);
    const status = JSON.parse(stdout) as { bfd?: { packets_sent: number; packets_received: number }[] };
    return (status.bfd ?? []).reduce((n, b) => n + b.packets_sent + b.packets_received, 0);
  } catch {
    return undefined;
  }
}

async function pollUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, describe: () => Promise<string> | string = () => ''): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out: ${what}\n${await describe()}`);
    await delay(50);
  }
}

type PeerSession = { name: string; state: string; polling: boolean; detectionTimeMs: number };

/** The other end of the 100 sessions: FRR's bfdd where installed (C, light), else vigil's BFD node in the agent. */
interface Peer {
  readonly name: string;
  start(): Promise<void>;
  /** How many sessions are Up at the fast rate, and a summary of the others. */
  sessions(): Promise<{ readonly up: number; readonly summary: string }>;
  /** Every session falls silent at once. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function agentPeer(agent: Agent, peer: LanHost, sessions: number): Peer {
  const all = (): Promise<PeerSession[]> => agent.call<PeerSession[]>('bfdNodeSessions');
  return {
    name: "vigil's BFD node (agent)",
    async start() {
      let text = '';
      for (let i = 0; i < sessions; i++) text += bfdBlock(`p${i}`, ourAddress(i), peer.ipv4);
      await agent.call('bfdNodeStart', { specs: bfdSpecsFromConfig(loadConfigText(text, 'peer.conf').config.bfdInstances) });
    },
    async sessions() {
      const list = await all();
      const counts = new Map<string, number>();
      for (const s of list) {
        const k = `${s.state}${s.polling ? ' polling' : ''} ${s.detectionTimeMs} ms`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return { up: list.filter((s) => s.state === 'Up' && !s.polling && s.detectionTimeMs === 30).length, summary: JSON.stringify(Object.fromEntries(counts)) };
    },
    kill: async () => {
      await agent.call('bfdNodeStop');
    },
    stop: async () => {
      await agent.call('bfdNodeStop');
    },
  };
}

function frrPeer(lan: Lan, peer: LanHost, sessions: number): Peer {
  let frr: (BfdPeer & { show(): Promise<string> }) | undefined;
  let config = 'log stdout informational\nbfd\n';
  for (let i = 0; i < sessions; i++) {
    config += ` peer ${ourAddress(i)} local-address ${peer.ipv4}\n  detect-multiplier 3\n  receive-interval 10\n  transmit-interval 10\n  no shutdown\n !\n`;
  }
  config += '!\n';
  return {
    name: "FRR's bfdd",
    async start() {
      frr = await startFrrBfdd(lan, peer.ns, config);
    },
    async sessions() {
      const text = (await frr?.show().catch(() => '[]')) ?? '[]';
      let list: { status?: string; 'detect-multiplier'?: number; 'remote-transmit-interval'?: number }[] = [];
      try {
        list = JSON.parse(text) as typeof list;
      } catch {
        list = [];
      }
      const counts = new Map<string, number>();
      for (const s of list) counts.set(s.status ?? '?', (counts.get(s.status ?? '?') ?? 0) + 1);
      return { up: list.filter((s) => s.status === 'up' && s['remote-transmit-interval'] === 10).length, summary: JSON.stringify(Object.fromEntries(counts)) };
    },
    kill: async () => {
      await frr?.kill();
    },
    stop: async () => {
      await frr?.stop();
      frr = undefined;
    },
  };
}

async function measure(lan: Lan, us: LanHost, peerHost: LanHost, peer: Peer, kind: 'vigil' | 'keepalived', sessions: number): Promise<Figures> {
  const config = daemonConfig(peerHost, sessions);
  let daemon: Daemon | undefined;
  let keepalived: BfdPeer | undefined;
  if (kind === 'vigil') daemon = startDaemon(lan, us, 'vigil', config);
  else keepalived = await startKeepalivedBfd(lan, us.ns, config);
  const log = (): string => daemon?.log() ?? keepalived?.log() ?? '';
  try {
    await peer.start();
    const summary = async (): Promise<string> => {
      const status = daemon ? (await lan.exec(us.ns, ['bin/vigil', 'status', '--json', '--socket', daemon.statusSocket]).catch((e: Error) => ({ stdout: e.message }))).stdout : '';
      return `peer sessions: ${(await peer.sessions()).summary}\n${status.slice(0, 3000)}\n${kind} log (end):\n${log().slice(-3000)}`;
    };
    const steady = async (): Promise<boolean> => (await peer.sessions()).up === sessions;
    // On a loaded host some sessions flap (a packet handled later than the Detection Time): after a minute the
    // figures are taken all the same, of the sessions Up at the kill, and the others are counted.
    await pollUntil(steady, 60_000, `every session Up at 10 ms (${kind})`, summary).catch(async (e: Error) => console.log(`# ${e.message.split('\n')[0]}: ${(await summary()).split('\n')[0]}`));
    await delay(1000);
    // Advertisement periods while the sessions run at full rate.
    const adverts = captureAdverts(lan, us, [us.ipv4]);
    await adverts.ready;
    const pid = daemon?.proc.pid;
    const cpuBefore = cpuSeconds(pid);
    const packetsBefore = daemon ? await bfdPackets(lan, us, daemon) : undefined;
    const windowStart = performance.now();
    await delay(5000);
    const cpuAfter = cpuSeconds(pid);
    const packetsAfter = daemon ? await bfdPackets(lan, us, daemon) : undefined;
    const seconds = (performance.now() - windowStart) / 1000;
    adverts.stop();
    const rate = packetsBefore !== undefined && packetsAfter !== undefined ? (packetsAfter - packetsBefore) / seconds : undefined;
    const cpuPer1000 = cpuBefore !== undefined && cpuAfter !== undefined && rate ? (((cpuAfter - cpuBefore) / seconds) * 100) / (rate / 1000) : undefined;
    const times = adverts.adverts.filter((a) => a.priority > 0).map((a) => a.wall);
    const advertError = times.slice(1).map((t, i) => Math.abs(t - times[i]! - ADVERT_MS));
    // A session that flapped before the kill would time something else: counted, then left out.
    const flapped = sessions - (await peer.sessions()).up;
    const capture = captureBfd(lan, us, peerHost);
    await capture.ready;
    await delay(300);
    const mark = log().length;
    await peer.kill();
    await delay(1500);
    capture.stop();
    const after = log().slice(mark);
    const own: number[] = [];
    const wire: number[] = [];
    for (let i = 0; i < sessions; i++) {
      const name = `s${i}`;
      const expired = new RegExp(`\\(${name}\\) Expired after ([\\d.]+) ms`).exec(after);
      if (expired) own.push(Number(expired[1]));
      if (kind !== 'vigil') continue;
      const down = new RegExp(`"time":(\\d+)[^\\n]*BFD_Instance\\(${name}\\) Entering DOWN state`).exec(after);
      const lastPacket = capture.last.get(ourAddress(i));
      if (down && lastPacket !== undefined) wire.push(Number(down[1]) - lastPacket);
    }
    return { cpuPer1000, wire, own, advertError, note: `${rate === undefined ? '' : `${Math.round(rate)} packets/s; `}${flapped > 0 ? `${flapped} session(s) not Up at 10 ms just before the kill` : ''}` };
  } finally {
    await peer.stop();
    if (daemon) {
      daemon.kill('SIGKILL');
      await daemon.exited().catch(() => undefined);
      cleanupDir(daemon);
    }
    await keepalived?.stop();
  }
}

export async function run(): Promise<void> {
  const available = netnsAvailable();
  if (!available.ok) {
    console.log(`skipped: ${available.reason}`);
    return;
  }
  if (!commandAvailable('tcpdump').ok) {
    console.log('skipped: tcpdump is not installed');
    return;
  }
  const lan = await createLan({ name: 'bfd2bench', hosts: ['us', 'peer'], v4Prefix: '192.168.77.X', v4Start: 10, v4PrefixLength: 24 });
  const us = lan.host('us');
  const peer = lan.host('peer');
  let agent: Agent | undefined;
  try {
    for (let i = 0; i < SESSIONS; i++) await lan.exec(us.ns, ['ip', 'addr', 'add', `${ourAddress(i)}/24`, 'dev', 'eth0']);
    const frr = commandAvailable('/usr/lib/frr/bfdd').ok;
    if (!frr) agent = await startAgent(lan, peer.ns);
    const peerOf = (sessions: number): Peer => (agent === undefined ? frrPeer(lan, peer, sessions) : agentPeer(agent, peer, sessions));
    const kinds: ('vigil' | 'keepalived')[] = ['vigil'];
    if (process.env['VIGIL_BENCH_BFD_DAEMONS'] === 'vigil') console.log('VIGIL_BENCH_BFD_DAEMONS=vigil: vigil alone');
    else if (commandAvailable('keepalived').ok) kinds.push('keepalived');
    else console.log('keepalived is not installed: vigil alone');
    const table = async (sessions: number, heading: (load: string, peerName: string) => string): Promise<void> => {
      const other = peerOf(sessions);
      const load = (await lan.exec(us.ns, ['cat', '/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
      console.log(heading(load, other.name));
      console.log('daemon      detection own p50/p99/max   wire p50/p99/max   sessions   advert period error p50/p99/max   CPU % per 1000 packets/s');
      for (const kind of kinds) {
        const f = await measure(lan, us, peer, other, kind, sessions);
        const line = (xs: number[]): string => `${fmt(percentile(xs, 50))}/${fmt(percentile(xs, 99))}/${fmt(xs.length ? Math.max(...xs) : undefined)}`;
        console.log(
          `${kind.padEnd(11)} ${line(f.own).padEnd(27)} ${(kind === 'vigil' ? line(f.wire) : 'n/a').padEnd(18)} ${String(f.own.length).padEnd(10)} ${line(f.advertError).padEnd(33)} ${fmt(f.cpuPer1000)}${f.note ? `  (${f.note})` : ''}`,
        );
      }
    };
    const rt = RT === undefined ? '' : ` vrrp_rt_priority and bfd_rt_priority ${RT}.`;
    await table(SESSIONS, (load, name) => `${SESSIONS} sessions at 10 ms x 3 (Detection Time 30 ms); a VRRPv3 master at ${ADVERT_MS} ms meanwhile. Milliseconds. Load average ${load}.${rt} Peer: ${name}.`);
    // keepalived holds a handful of sessions at 10 ms, not a hundred: both again at a size it holds (see the header).
    if (kinds.includes('keepalived') && SIDE_BY_SIDE > 0 && SIDE_BY_SIDE < SESSIONS) {
      await table(SIDE_BY_SIDE, (load, name) => `Side by side at a size keepalived holds: ${SIDE_BY_SIDE} sessions at 10 ms x 3, the same run. Milliseconds. Load average ${load}.${rt} Peer: ${name}.`);
    }
  } finally {
    await agent?.stop();
    await lan.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
