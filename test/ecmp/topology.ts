/**
 * Issue 18's topology in network namespaces: a client, an upstream router running a real BGP speaker with ECMP,
 * three directors (vigil with one nftables `lb_algo mh` virtual server, and their speaker peering with the
 * upstream), four HTTP real servers. Importing this module does nothing; createEcmpTopology builds it and
 * cleanup() removes every namespace and process (by PID).
 *
 *   client .2 ── .1 upstream .17 ──┬── .18 d1 .33 ──┬── .37 s1
 *   192.168.77.0/28                ├── .19 d2 .34 ──┼── .38 s2
 *                   front 192.168.77.16/28          ├── .39 s3
 *                                  └── .20 d3 .35 ──┴── .40 s4
 *                                            back 192.168.77.32/28
 *   VIP 192.168.77.100/32: announced by every director whose pool is up; the upstream routes it over them.
 *
 * Return path: a director DNATs (client address kept), so a reply must leave through the director that holds
 * the connection's conntrack entry. Each real server marks a connection with the director it last heard it from
 * (nftables: `ct mark set ether saddr map { director MAC : n }`) and routes replies by that mark (ip rule fwmark n
 * → a table whose default route is director n). A connection that moves to another director (after a director
 * loss) is picked up mid-stream there (conntrack's loose TCP pickup; be_liberal, since the window was not seen)
 * and DNATed by the same Maglev table to the same server, whose replies then follow it.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { ROOT } from '../daemon/daemons.js';
import { createNamespaces, killPid } from './namespaces.js';
import { birdDirectorConfig, birdUpstreamConfig, frrDirectorConfig, frrDirectorZebraConfig, frrUpstreamConfig, startBird, startFrr, type Speaker, type SpeakerKind } from './speakers.js';
import { CLIENT_PROGRAM, SERVER_PROGRAM } from './flow-programs.js';

export const VIP = '192.168.77.100';
export const VIP_PORT = 80;
export const SERVER_PORT = 8080;
const UPSTREAM_ASN = 65000;
const DIRECTOR_ASN = 65001;
/** The kernel table vigil announces into (announce_table), which the directors' speakers export. */
export const ANNOUNCE_TABLE = 100;

export interface EcmpTopologyOptions {
  readonly speaker: SpeakerKind;
  /** BGP hold time, seconds (default 3). */
  readonly holdTime?: number;
  /** Parallel connections of the client (default 32). */
  readonly parallel?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface Director {
  readonly name: string;
  readonly ns: string;
  readonly front: string;
  readonly back: string;
  readonly mac: string;
  vigil: ChildProcess | undefined;
  vigilLog: string;
  speaker: Speaker | undefined;
}

export interface RealServer {
  readonly name: string;
  readonly ns: string;
  readonly address: string;
  process: ChildProcess | undefined;
}

export type Answers = Record<string, string>;

export interface RouteWatch {
  readonly changes: ReadonlyArray<{ readonly at: number; readonly line: string }>;
  /** The first change to the VIP's route at or after `since`. */
  firstAfter(since: number): { readonly at: number; readonly line: string } | undefined;
  stop(): void;
}

export interface FlowClient {
  /** Opens a keep-alive connection from each source port in [from, to) and asks once on each. */
  open(from: number, to: number): Promise<Answers>;
  /** Asks again on every open connection. */
  ask(): Promise<Answers>;
  /** Resets (RST) every open connection. */
  reset(): Promise<void>;
}

export interface EcmpTopology {
  readonly speaker: SpeakerKind;
  readonly holdTime: number;
  readonly directors: readonly Director[];
  readonly servers: readonly RealServer[];
  readonly client: FlowClient;
  /** The upstream's next hops for the VIP (addresses), as its kernel has them. */
  upstreamNextHops(): Promise<string[]>;
  /**
   * The upstream kernel's route changes for the VIP as they happen (`ip -o monitor route`), each with the time
   * (performance.now()) its line arrived here: a change is timed to the kernel's notification, not to a poll.
   */
  watchUpstreamRoutes(): RouteWatch;
  /** Whether the upstream's BGP session with a director is Established (its speaker's own view). */
  upstreamSessionEstablished(director: Director): Promise<boolean>;
  /** Waits until the upstream's route has exactly these next hops; rejects after timeoutMs. */
  waitForNextHops(expected: readonly string[], timeoutMs: number): Promise<void>;
  /** The real servers (addresses) in a director's Maglev map. */
  maglevServers(director: Director): Promise<string[]>;
  /** The client's address (the flows' source). */
  readonly clientAddress: string;
  /** The size of a director's Maglev table (the `mod` of its jhash). */
  maglevSlots(director: Director): Promise<number>;
  /** Connections each director saw begin (its nftables counter of new conntrack entries for the VIP). */
  newFlowCounts(): Promise<number[]>;
  /** SIGKILL to a director's vigil (its PID alone, as a crash); resolves when it has exited. */
  killVigil(director: Director): Promise<void>;
  /** Starts a director's vigil again (after killVigil). */
  startVigil(director: Director): void;
  /** SIGKILL to a real server's HTTP server. */
  failServer(server: RealServer): void;
  cleanup(): Promise<void>;
}

const VIGIL = join(ROOT, 'bin/vigil');

export function vigilConfig(servers: readonly string[]): string {
  const real = servers
    // A dead server refuses at once; the generous timeout and retries keep a loaded machine's late timer from
    // taking a live one out (which would move flows mid-test).
    .map((address) => `    real_server ${address} ${SERVER_PORT} {\n        TCP_CHECK {\n            connect_timeout 3\n            retry 2\n            delay_before_retry 1\n        }\n    }\n`)
    .join('');
  return `! A director of the ECMP demo: every director has this same pool, hence the same Maglev table.
virtual_server ${VIP} ${VIP_PORT} {
    delay_loop 1
    lb_algo mh
    mh-port
    lb_kind NAT
    protocol TCP
    announce_table ${ANNOUNCE_TABLE}
${real}}
`;
}

/** An async poll: `check` until it is true, at most `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: () => string, everyMs = 10): Promise<void> {
  const start = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await delay(everyMs);
  }
}

export async function createEcmpTopology(options: EcmpTopologyOptions): Promise<EcmpTopology> {
  const log = options.log ?? ((): void => undefined);
  const holdTime = options.holdTime ?? 3;
  const nss = createNamespaces('ecmpdemo');
  const dir = mkdtempSync(join(tmpdir(), 'ecmpdemo-'));
  const directors: Director[] = [];
  const servers: RealServer[] = [];
  const speakers: Speaker[] = [];
  let clientProc: ChildProcess | undefined;

  const cleanup = async (): Promise<void> => {
    for (const s of speakers) await s.stop().catch(() => undefined);
    for (const d of directors) killPid(d.vigil?.pid);
    await nss.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    log(`namespaces ${nss.prefix}-*`);
    const sw = await nss.add('sw');
    const upstream = await nss.add('up');
    const client = await nss.add('cl');
    await nss.exec(sw, ['ip', 'link', 'add', 'front', 'type', 'bridge']);
    await nss.exec(sw, ['ip', 'link', 'add', 'back', 'type', 'bridge']);
    await nss.exec(sw, ['ip', 'link', 'set', 'front', 'up']);
    await nss.exec(sw, ['ip', 'link', 'set', 'back', 'up']);
    const plug = async (bridge: 'front' | 'back', port: string, ns: string, ifname: string, address: string): Promise<void> => {
      await nss.veth(sw, port, ns, ifname);
      await nss.exec(sw, ['ip', 'link', 'set', port, 'master', bridge]);
      await nss.exec(ns, ['ip', 'addr', 'add', `${address}/28`, 'dev', ifname]);
    };

    // Client and upstream: a point-to-point link; the upstream's front on the directors' LAN.
    await nss.veth(upstream, 'cl0', client, 'eth0');
    await nss.exec(upstream, ['ip', 'addr', 'add', '192.168.77.1/28', 'dev', 'cl0']);
    await nss.exec(client, ['ip', 'addr', 'add', '192.168.77.2/28', 'dev', 'eth0']);
    await nss.exec(client, ['ip', 'route', 'add', 'default', 'via', '192.168.77.1']);
    await plug('front', 'up0', upstream, 'front', '192.168.77.17');
    // Forwarding, and ECMP by the flow's 5-tuple, as a router does. The default (policy 0, addresses only) would put
    // the client's flows all on one director; policy 1 (layer 4) takes the hash a local sender's socket left on the
    // packet (a random one per socket, carried across the veth), so a 5-tuple opened again could take another
    // director. Policy 3 hashes the fields named: source and destination address, protocol, both ports (0x37).
    // A fixed seed: the same flows take the same directors on every machine and run.
    await nss.exec(upstream, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.fib_multipath_hash_policy=3', 'net.ipv4.fib_multipath_hash_fields=0x0037']);
    await nss.exec(upstream, ['sysctl', '-q', '-w', 'net.ipv4.fib_multipath_hash_seed=18']).catch(() => undefined); // Linux 6.11+

    for (let i = 0; i < 3; i++) {
      const name = `d${i + 1}`;
      const ns = await nss.add(name);
      const front = `192.168.77.${18 + i}`;
      const back = `192.168.77.${33 + i}`;
      await plug('front', `f${i}`, ns, 'eth0', front);
      await plug('back', `b${i}`, ns, 'eth1', back);
      await nss.exec(ns, ['ip', 'route', 'add', 'default', 'via', '192.168.77.17']);
      await nss.exec(ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth1.send_redirects=0']);
      // A counter of the connections this director sees begin (new conntrack entries for the VIP, before DNAT).
      await nss.exec(ns, ['nft', `table ip ecmpdemo { chain flows { type filter hook prerouting priority -150; policy accept; ip daddr ${VIP} tcp dport ${VIP_PORT} ct state new counter; }; }`]);
      // Loaded by the counter's `ct state`: a moved connection is picked up mid-stream without its window.
      await nss.exec(ns, ['sysctl', '-q', '-w', 'net.netfilter.nf_conntrack_tcp_loose=1', 'net.netfilter.nf_conntrack_tcp_be_liberal=1']);
      const mac = (JSON.parse((await nss.exec(ns, ['ip', '-j', 'link', 'show', 'eth1'])).stdout) as Array<{ address: string }>)[0]!.address;
      directors.push({ name, ns, front, back, mac, vigil: undefined, vigilLog: '', speaker: undefined });
    }

    const directorMarks = directors.map((d, i) => `${d.mac} : ${i + 1}`).join(', ');
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const name = `s${i + 1}`;
        const ns = await nss.add(name);
        // .37-.40 (.43:8080 and .44:8080 once shared their Maglev skip, before permutations were drawn from the
        // configured pool: test/protocol/maglev.test.ts keeps that case).
        const address = `192.168.77.${37 + i}`;
        await plug('back', `s${i}`, ns, 'eth0', address);
        // Replies leave through the director the connection last came from (see the header).
        await nss.exec(ns, ['nft', `table ip ecmpdemo { chain pre { type filter hook prerouting priority mangle; policy accept; ct mark set ether saddr map { ${directorMarks} }; }; chain out { type route hook output priority mangle; policy accept; meta mark set ct mark; }; }`]);
        for (const [k, d] of directors.entries()) {
          await nss.exec(ns, ['ip', 'route', 'add', '192.168.77.32/28', 'dev', 'eth0', 'table', String(101 + k)]);
          await nss.exec(ns, ['ip', 'route', 'add', 'default', 'via', d.back, 'table', String(101 + k)]);
          await nss.exec(ns, ['ip', 'rule', 'add', 'fwmark', String(k + 1), 'table', String(101 + k)]);
        }
        await nss.exec(ns, ['ip', 'route', 'add', 'default', 'via', directors[0]!.back]);
        const proc = nss.spawn(ns, [process.execPath, '-e', SERVER_PROGRAM, name]);
        const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
        if (line.toString().trim() !== 'ready') throw new Error(`${name}: ${line.toString()}`);
        servers[i] = { name, ns, address, process: proc };
      }),
    );
    log('real servers up');

    // Speakers: the upstream and one per director.
    const upstreamPlan = { address: '192.168.77.17', asn: UPSTREAM_ASN, holdTime, directors: directors.map((d) => ({ address: d.front, asn: DIRECTOR_ASN })) };
    const bird = options.speaker === 'bird';
    speakers.push(bird ? await startBird(nss, upstream, birdUpstreamConfig(upstreamPlan)) : await startFrr(nss, upstream, frrUpstreamConfig(upstreamPlan)));
    for (const d of directors) {
      const plan = { address: d.front, asn: DIRECTOR_ASN, upstream: { address: '192.168.77.17', asn: UPSTREAM_ASN }, table: ANNOUNCE_TABLE, holdTime };
      d.speaker = bird ? await startBird(nss, d.ns, birdDirectorConfig(plan)) : await startFrr(nss, d.ns, frrDirectorConfig(plan), frrDirectorZebraConfig(plan));
      speakers.push(d.speaker);
    }
    log(`${options.speaker} speakers started`);

    // vigil on each director.
    const serverAddresses = servers.map((s) => s.address);
    const startVigil = (d: Director): void => {
      const own = join(dir, d.name);
      const conf = join(dir, `${d.name}.conf`);
      writeFileSync(conf, vigilConfig(serverAddresses));
      // A pid file left by a killed vigil is stale: vigil replaces it.
      const proc = nss.spawn(d.ns, [process.execPath, VIGIL, 'run', '-f', conf, '-p', `${own}.pid`, '--status-socket', `${own}.sock`, '--dump-dir', `${own}-run`, '-D']);
      const add = (c: Buffer): void => {
        d.vigilLog = (d.vigilLog + c.toString()).slice(-20_000);
      };
      proc.stdout?.on('data', add);
      proc.stderr?.on('data', add);
      d.vigil = proc;
    };
    directors.forEach(startVigil);

    const topology: EcmpTopology = {
      speaker: options.speaker,
      holdTime,
      directors,
      servers,
      client: undefined as unknown as FlowClient,
      async upstreamNextHops() {
        const routes = JSON.parse((await nss.exec(upstream, ['ip', '-j', 'route', 'show', `${VIP}/32`])).stdout) as Array<{ gateway?: string; nexthops?: Array<{ gateway: string }> }>;
        return routes.flatMap((r) => (r.nexthops ? r.nexthops.map((n) => n.gateway) : r.gateway ? [r.gateway] : [])).sort();
      },
      watchUpstreamRoutes() {
        const proc = nss.spawn(upstream, ['ip', '-o', 'monitor', 'route']);
        const changes: Array<{ at: number; line: string }> = [];
        createInterface({ input: proc.stdout! }).on('line', (line) => {
          if (line.includes(`${VIP} `)) changes.push({ at: performance.now(), line });
        });
        return {
          changes,
          firstAfter: (since) => changes.find((c) => c.at >= since),
          stop: () => killPid(proc.pid),
        };
      },
      async upstreamSessionEstablished(d) {
        const speaker = speakers[0]!;
        if (speaker.kind === 'bird') {
          const name = `director${directors.indexOf(d) + 1}`;
          return new RegExp(`^${name}\\s+BGP\\s.*Established`, 'm').test(await speaker.show('show protocols'));
        }
        const neighbors = JSON.parse(await speaker.show('show bgp neighbors json')) as Record<string, { bgpState?: string }>;
        return neighbors[d.front]?.bgpState === 'Established';
      },
      async waitForNextHops(expected, timeoutMs) {
        const want = [...expected].sort().join(',');
        let seen: string[] = [];
        await until(async () => (seen = await topology.upstreamNextHops()).join(',') === want, timeoutMs, () => `next hops [${want}] at the upstream (has [${seen.join(',')}])\n${speakers.map((s) => s.log()).join('\n')}`, 5);
      },
      async maglevServers(d) {
        const { stdout } = await nss.exec(d.ns, ['nft', 'list', 'map', 'ip', 'vigil', 'svc_0_maglev']);
        return [...new Set([...stdout.matchAll(/(192\.168\.77\.\d+) \. 8080/g)].map((m) => m[1]!))].sort();
      },
      clientAddress: '192.168.77.2',
      async maglevSlots(d) {
        const { stdout } = await nss.exec(d.ns, ['nft', 'list', 'chain', 'ip', 'vigil', 'svc_0']);
        return Number(/jhash .* mod (\d+)/.exec(stdout)?.[1] ?? NaN);
      },
      async newFlowCounts() {
        return Promise.all(
          directors.map(async (d) => {
            const { stdout } = await nss.exec(d.ns, ['nft', 'list', 'chain', 'ip', 'ecmpdemo', 'flows']);
            return Number(/counter packets (\d+)/.exec(stdout)?.[1] ?? NaN);
          }),
        );
      },
      async killVigil(d) {
        const proc = d.vigil;
        if (proc === undefined) return;
        const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : once(proc, 'exit').then(() => undefined);
        killPid(proc.pid);
        await exited;
      },
      startVigil,
      failServer(s) {
        killPid(s.process?.pid);
      },
      cleanup,
    };

    // Every pool up on every director (the checkers found the four servers), and its VIP announced.
    await Promise.all(
      directors.map((d) => until(async () => (await topology.maglevServers(d)).length === servers.length, 60_000, () => `${d.name}'s Maglev map of ${servers.length} servers\n${d.vigilLog}`, 100)),
    );
    await topology.waitForNextHops(directors.map((d) => d.front), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${directors.map((d) => `${d.name}'s vigil:\n${d.vigilLog}`).join('\n')}`);
    });
    log(`upstream routes ${VIP} over ${directors.length} directors`);

    clientProc = nss.spawn(client, [process.execPath, '-e', CLIENT_PROGRAM, VIP, String(VIP_PORT), String(options.parallel ?? 32), '20000']);
    (topology as { client: FlowClient }).client = flowClient(clientProc);
    await (topology.client as FlowClient & { ready: Promise<void> }).ready;
    return topology;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function flowClient(proc: ChildProcess): FlowClient & { ready: Promise<void> } {
  const lines = createInterface({ input: proc.stdout! });
  const waiting: Array<(line: string) => void> = [];
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error(`the flow client exited: ${stderr}`));
      proc.once('exit', onExit);
      waiting.push((line) => {
        proc.off('exit', onExit);
        resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
  const command = async (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const reply = next();
    proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return reply;
  };
  return {
    ready: next().then(() => undefined),
    open: async (from, to) => (await command({ cmd: 'open', from, to })).answers as Answers,
    ask: async () => (await command({ cmd: 'ask' })).answers as Answers,
    reset: async () => void (await command({ cmd: 'reset' })),
  };
}
