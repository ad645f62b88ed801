/**
 * The BGP speakers of the ECMP topology, each in its own namespace with its own files: BIRD 2 (one `bird -f`) or
 * FRR (zebra + bgpd, run as the frr user). The upstream router installs the VIP's route with one next hop per
 * announcing director (BIRD: kernel protocol `merge paths on`; FRR: `maximum-paths`); each director's speaker
 * exports what vigil announces (announce_table TABLE: the VIP's /32 through vigil's `vigil-announce` TUN device):
 *  - BIRD: a kernel protocol that `learn`s table TABLE, exported over BGP. The kernel removes those routes with the
 *    device when vigil dies, silently for IPv4; BIRD notices the device going and withdraws at once.
 *  - FRR: zebra's `ip import-table TABLE`, redistributed by bgpd (`redistribute table TABLE`). zebra does not
 *    follow the kernel's silent removal (its copy would stay): vigil's guardian deletes the routes, told, when
 *    vigil dies (transport/real/tun-route-announcer.ts).
 * Importing this module does nothing.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { killPid, type Namespaces } from './namespaces.js';

export type SpeakerKind = 'bird' | 'frr';

export interface Peer {
  readonly address: string;
  readonly asn: number;
}

export interface UpstreamPlan {
  readonly address: string;
  readonly asn: number;
  readonly directors: readonly Peer[];
  /** BGP hold time in seconds (keepalive a third of it). */
  readonly holdTime: number;
}

export interface DirectorPlan {
  readonly address: string;
  readonly asn: number;
  readonly upstream: Peer;
  /** The kernel table vigil announces into (announce_table). */
  readonly table: number;
  readonly holdTime: number;
}

const keepalive = (hold: number): number => Math.max(1, Math.floor(hold / 3));

/** The upstream router: one BGP session per director, ECMP over their routes into the kernel. */
export function birdUpstreamConfig(plan: UpstreamPlan): string {
  const sessions = plan.directors.map((d, i) => `protocol bgp director${i + 1} from directors { neighbor ${d.address} as ${d.asn}; }\n`).join('');
  return `router id ${plan.address};
log stderr { warning, error, fatal };
protocol device { scan time 10; }
# One kernel route with a next hop per director: equal BGP routes merged (ECMP).
protocol kernel { ipv4 { import none; export all; }; merge paths on; }
template bgp directors {
  local ${plan.address} as ${plan.asn};
  hold time ${plan.holdTime}; keepalive time ${keepalive(plan.holdTime)}; connect retry time 1;
  ipv4 { import all; export none; };
}
${sessions}`;
}

/** A director: the routes vigil puts in kernel table TABLE, learned and exported to the upstream. */
export function birdDirectorConfig(plan: DirectorPlan): string {
  return `router id ${plan.address};
log stderr { warning, error, fatal };
protocol device { scan time 10; }
# What vigil announces (announce_table ${plan.table}): learned from the kernel table, never written back.
protocol kernel announced { kernel table ${plan.table}; learn; ipv4 { import all; export none; }; }
protocol bgp upstream {
  local ${plan.address} as ${plan.asn}; neighbor ${plan.upstream.address} as ${plan.upstream.asn};
  hold time ${plan.holdTime}; keepalive time ${keepalive(plan.holdTime)}; connect retry time 1;
  ipv4 { import none; export where proto = "announced"; next hop self; };
}
`;
}

export function frrUpstreamConfig(plan: UpstreamPlan): string {
  const asns = [...new Set(plan.directors.map((d) => d.asn))];
  if (asns.length !== 1) throw new Error('the directors share one AS (equal AS paths, so multipath applies)');
  const neighbors = plan.directors.map((d) => ` neighbor ${d.address} peer-group directors\n`).join('');
  return `hostname upstream
log stdout warnings
router bgp ${plan.asn}
 bgp router-id ${plan.address}
 no bgp ebgp-requires-policy
 neighbor directors peer-group
 neighbor directors remote-as ${asns[0]!}
 neighbor directors timers ${keepalive(plan.holdTime)} ${plan.holdTime}
 neighbor directors timers connect 1
${neighbors} address-family ipv4 unicast
  maximum-paths ${Math.max(2, plan.directors.length)}
 exit-address-family
`;
}

/** zebra's part of a director: table TABLE imported into its RIB (as `table` routes). */
export function frrDirectorZebraConfig(plan: DirectorPlan): string {
  return `hostname director
log stdout warnings
ip import-table ${plan.table}
`;
}

export function frrDirectorConfig(plan: DirectorPlan): string {
  return `hostname director
log stdout warnings
router bgp ${plan.asn}
 bgp router-id ${plan.address}
 no bgp ebgp-requires-policy
 neighbor ${plan.upstream.address} remote-as ${plan.upstream.asn}
 neighbor ${plan.upstream.address} timers ${keepalive(plan.holdTime)} ${plan.holdTime}
 neighbor ${plan.upstream.address} timers connect 1
 address-family ipv4 unicast
  redistribute table ${plan.table}
 exit-address-family
`;
}

export interface Speaker {
  readonly kind: SpeakerKind;
  readonly ns: string;
  log(): string;
  /** A command of the speaker's own CLI (birdc / vtysh) on its control socket; its output. */
  show(command: string): Promise<string>;
  /** SIGKILL by PID to every daemon of the speaker. */
  kill(): void;
  /** Kills what is left and removes its files. */
  stop(): Promise<void>;
}

function capture(child: ChildProcess, sink: { text: string }): void {
  const add = (c: Buffer): void => {
    sink.text = (sink.text + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
}

export async function startBird(nss: Namespaces, ns: string, config: string): Promise<Speaker> {
  const dir = await mkdtemp(join(tmpdir(), 'ecmpdemo-bird-'));
  const files = { conf: join(dir, 'bird.conf'), ctl: join(dir, 'bird.ctl'), pid: join(dir, 'bird.pid') };
  await writeFile(files.conf, config);
  const sink = { text: '' };
  const child = nss.spawn(ns, ['bird', '-f', '-c', files.conf, '-s', files.ctl, '-P', files.pid]);
  capture(child, sink);
  return {
    kind: 'bird',
    ns,
    log: () => sink.text,
    show: async (command) => (await nss.exec(ns, ['birdc', '-s', files.ctl, ...command.split(' ')])).stdout,
    kill: () => killPid(child.pid),
    async stop() {
      killPid(child.pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * zebra and bgpd with their own zserv socket, vty socket directory and pid files; they run as the frr user
 * (root is not in frrvty), so the directory is open to it.
 */
export async function startFrr(nss: Namespaces, ns: string, bgpdConfig: string, zebraConfig = 'log stdout warnings\n'): Promise<Speaker> {
  const dir = await mkdtemp(join(tmpdir(), 'ecmpdemo-frr-'));
  await chmod(dir, 0o777);
  const zserv = join(dir, 'zserv.api');
  const sink = { text: '' };
  const children: ChildProcess[] = [];
  for (const [daemon, config] of [['zebra', zebraConfig], ['bgpd', bgpdConfig]] as const) {
    const conf = join(dir, `${daemon}.conf`);
    await writeFile(conf, config, { mode: 0o644 });
    const child = nss.spawn(ns, [`/usr/lib/frr/${daemon}`, '-f', conf, '-i', join(dir, `${daemon}.pid`), '-z', zserv, '--vty_socket', dir, '-u', 'frr', '-g', 'frr', '-A', '127.0.0.1', '-P', '0', '--log', 'stdout']);
    capture(child, sink);
    children.push(child);
    // bgpd connects to zebra's socket: give zebra the moment to create it (bgpd retries anyway).
    if (daemon === 'zebra') await new Promise((r) => setTimeout(r, 300));
  }
  const kill = (): void => children.forEach((c) => killPid(c.pid));
  return {
    kind: 'frr',
    ns,
    log: () => sink.text,
    show: async (command) => (await nss.exec(ns, ['vtysh', '--vty_socket', dir, '-c', command])).stdout,
    kill,
    async stop() {
      kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
