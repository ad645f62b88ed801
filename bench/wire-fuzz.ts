/**
 * Wire fuzz benchmark (issue 13): 10^6 mutated IPv4 datagrams (IP header and options included: bench/tools/
 * packet-mutations.ts) sent from a peer at a running vigil master, then a ledger of where every packet went:
 * refused by the sender's kernel, dropped by the receiver's IP layer (its /proc/net/snmp and netstat counters),
 * dropped at the raw socket (receive buffer full: /proc/net/raw), and seen by vigil (accepted or dropped, by
 * reason, from its status socket). Goals: the daemon never exits, and the ledger balances.
 * VIGIL_BENCH_FUZZ_PACKETS (default 1000000), VIGIL_BENCH_FUZZ_PPS (default 20000), VIGIL_BENCH_SEED (default 1).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createLan, netnsAvailable, type Lan, type LanHost } from '../test/netns/harness.js';
import { cleanupDir, eventually, holders, startDaemon, vigilStatus, type Daemon, type VigilStatus } from '../test/daemon/daemons.js';
import { encodeAdvertisement } from '../protocol/vrrp-codec.js';
import type { VrrpAdvertisement } from '../protocol/vrrp-types.js';
import { ipv4Datagram } from './tools/packet-mutations.js';
import type { SenderReport } from './tools/packet-sender.js';
import { rawSocketDrops, runSender } from './tools/sender-process.js';
import { twoMastersConfig } from './tools/two-masters-config.js';

const PACKETS = Number(process.env['VIGIL_BENCH_FUZZ_PACKETS'] ?? 1_000_000);
const RATE = Number(process.env['VIGIL_BENCH_FUZZ_PPS'] ?? 20_000);
const SEED = Number(process.env['VIGIL_BENCH_SEED'] ?? 1);
const VIP3 = '192.168.77.150';
const VIP2 = '192.168.77.151';

const CONFIG = twoMastersConfig(VIP3, VIP2);

function templates(source: string): string[] {
  const adv = (o: Partial<VrrpAdvertisement>): Uint8Array =>
    encodeAdvertisement(
      { version: 3, vrid: 100, priority: 100, intervalCs: 100, family: 4, addresses: [VIP3], authType: 0, authPassword: '', ...o },
      { source, destination: '224.0.0.18' },
    );
  return [
    adv({}),
    adv({ version: 2, vrid: 101, addresses: [VIP2], authType: 1, authPassword: 'secret' }),
    adv({ vrid: 77, addresses: ['192.168.77.152', '192.168.77.153'] }),
  ].map((payload) => Buffer.from(ipv4Datagram({ source, destination: '224.0.0.18', ttl: 255, payload })).toString('hex'));
}

/** The namespace's IP counters (/proc/net/snmp "Ip:" and /proc/net/netstat "IpExt:"), by name. */
async function ipCounters(lan: Lan, ns: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = (await lan.exec(ns, ['cat', file])).stdout.split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.split(/\s+/);
      const values = lines[i + 1]!.split(/\s+/);
      if (names[0] !== 'Ip:' && names[0] !== 'IpExt:') continue;
      names.slice(1).forEach((n, j) => (out[n] = Number(values[j + 1])));
    }
  }
  return out;
}

/** An interface's packet counters (/sys/class/net/IF/statistics) as seen in the namespace. */
async function linkCounters(lan: Lan, ns: string, ifname = 'eth0'): Promise<Record<string, number>> {
  const names = ['tx_packets', 'tx_dropped', 'tx_errors', 'rx_packets', 'rx_dropped', 'rx_errors'];
  const out = (await lan.exec(ns, ['sh', '-c', names.map((n) => `cat /sys/class/net/${ifname}/statistics/${n}`).join('; ')])).stdout.trim().split('\n');
  return Object.fromEntries(names.map((n, i) => [n, Number(out[i])]));
}


/** Every packet vigil read: accepted, or dropped with a reason (node-wide and per instance). */
function seenByVigil(s: VigilStatus): { total: number; byReason: Record<string, number> } {
  const byReason: Record<string, number> = { accepted: 0 };
  const add = (k: string, n: number) => (byReason[k] = (byReason[k] ?? 0) + n);
  for (const [k, n] of Object.entries(s.drops)) add(k, n);
  for (const i of s.instances) {
    add('accepted', i.counters.adverts_received);
    for (const [k, n] of Object.entries(i.counters.drops)) add(k, n);
  }
  return { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason };
}

function send(lan: Lan, host: LanHost, packets: string[]): Promise<SenderReport> {
  return runSender(lan, host, { interface: 'eth0', destination: '224.0.0.18', rate: RATE, count: PACKETS, packets, fuzzSeed: SEED });
}

export async function run(): Promise<void> {
  const avail = netnsAvailable();
  if (!avail.ok) {
    process.stdout.write(`skipped: ${avail.reason}\n`);
    return;
  }
  process.stdout.write(`${PACKETS} mutated packets at ${RATE}/s, seed ${SEED} (VIGIL_BENCH_FUZZ_PACKETS, VIGIL_BENCH_FUZZ_PPS, VIGIL_BENCH_SEED)\n`);
  const lan = await createLan({ name: 'wf', hosts: ['v', 'f'], v4Prefix: '192.168.77.X', v4Start: 145, v4PrefixLength: 26 });
  const [v, f] = [lan.host('v'), lan.host('f')];
  let d: Daemon | undefined;
  try {
    d = startDaemon(lan, v, 'vigil', CONFIG);
    const daemon = d;
    await eventually(async () => JSON.stringify(await holders(lan, [v], VIP3)) === '["v"]', 20_000, () => daemon.log());
    await delay(1000);
    const ip0 = await ipCounters(lan, v.ns);
    const bridge0 = await ipCounters(lan, lan.bridgeNs);
    const raw0 = await rawSocketDrops(lan, v.ns);
    const status0 = await vigilStatus(lan, d);
    const seen0 = seenByVigil(status0);
    // The bridge's ports: p0 is v's cable, p1 f's (test/netns/harness.ts names them in host order).
    const counters = () => Promise.all([linkCounters(lan, f.ns), linkCounters(lan, lan.bridgeNs, 'p1'), linkCounters(lan, lan.bridgeNs, 'p0'), linkCounters(lan, v.ns)]);
    const before = await counters();
    const report = await send(lan, f, templates(f.ipv4));
    // Let the daemon read what is queued before counting.
    let seen1 = seenByVigil(await vigilStatus(lan, d));
    await eventually(
      async () => {
        const next = seenByVigil(await vigilStatus(lan, daemon));
        const settled = next.total === seen1.total;
        seen1 = next;
        return settled;
      },
      20_000,
      () => 'vigil kept counting',
      500,
    );
    const status1 = await vigilStatus(lan, daemon);
    const ip1 = await ipCounters(lan, v.ns);
    const bridge1 = await ipCounters(lan, lan.bridgeNs);
    const raw1 = await rawSocketDrops(lan, v.ns);
    const alive = d.proc.exitCode === null && d.proc.signalCode === null;
    const after = await counters();
    const link = (a: Record<string, number>, b: Record<string, number>, k: string) => (b[k] ?? 0) - (a[k] ?? 0);
    const delta = (k: string) => (ip1[k] ?? 0) - (ip0[k] ?? 0);
    const ipDrops = ['InHdrErrors', 'InAddrErrors', 'InUnknownProtos', 'InDiscards', 'InTruncatedPkts', 'InCsumErrors', 'InNoRoutes', 'ReasmFails'];
    const dropped = ipDrops.map((k) => [k, delta(k)] as const).filter(([, n]) => n > 0);
    const vigilSeen = seen1.total - seen0.total;
    const reasons = Object.entries(seen1.byReason)
      .map(([k, n]) => [k, n - (seen0.byReason[k] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    const w = (s: string) => process.stdout.write(`  ${s}\n`);
    w(`sent ${report.sent} in ${report.seconds.toFixed(1)} s (${(report.sent / report.seconds).toFixed(0)}/s); refused by the sender's kernel ${report.refused}`);
    const hop = (i: number, dir: 'tx' | 'rx') => `${link(before[i]!, after[i]!, `${dir}_packets`)} (dropped ${link(before[i]!, after[i]!, `${dir}_dropped`)})`;
    w(`on the LAN (ARP and the daemon's own packets included): the sender's eth0 sent ${hop(0, 'tx')}; the bridge got ${hop(1, 'rx')} and passed on ${hop(2, 'tx')}; the receiver's eth0 got ${hop(3, 'rx')}`);
    // With br_netfilter loaded (bridge-nf-call-iptables), the bridge checks IPv4 headers and drops bad ones,
    // counting them in its own namespace's IP counters.
    const bridgeDrops = ['InHdrErrors', 'InTruncatedPkts', 'InCsumErrors'].reduce((sum, k) => sum + (bridge1[k] ?? 0) - (bridge0[k] ?? 0), 0);
    w(`dropped by the bridge's IPv4 header check (br_netfilter): ${bridgeDrops}`);
    w(`receiver's IP layer: received ${delta('InReceives')}, dropped ${dropped.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}, delivered ${delta('InDelivers')}`);
    const kernel = (s: VigilStatus): number => s.kernel_drops ?? 0;
    w(`raw socket drops (its receive buffer full; the kernel counts them as InUnknownProtos too): ${raw1 - raw0}; vigil's kernel_drops: ${kernel(status1) - kernel(status0)}`);
    w(`vigil read ${vigilSeen}: ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    const ipDropped = dropped.reduce((sum, [, n]) => sum + n, 0);
    w(`sent − bridge drops − received by the IP layer = ${report.sent - bridgeDrops - delta('InReceives')} (goal 0); received − IP drops − delivered = ${delta('InReceives') - ipDropped - delta('InDelivers')} (goal 0)`);
    w(`delivered − read by vigil = ${delta('InDelivers') - vigilSeen} (goal 0: every delivered packet accepted or dropped with a reason)`);
    w(`daemon still running: ${alive}; VIP held: ${JSON.stringify(await holders(lan, [v], VIP3)) === '["v"]'}`);
  } finally {
    d?.kill('SIGKILL');
    await lan.cleanup();
    if (d) cleanupDir(d);
  }
}
