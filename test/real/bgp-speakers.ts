/**
 * BGP speakers for the announce_table tests and benchmarks, each in a namespace of a test LAN with its own files
 * (config, control socket, pid file) in a temporary directory: BIRD 2 (`bird -f -c … -s … -P …`), FRR's zebra and
 * bgpd (their own zserv socket, pid files and vty socket directory). A director's speaker exports vigil's announce
 * table (BIRD: a kernel protocol with `learn`; FRR: `ip import-table` and `redistribute table`); the upstream router
 * (BIRD) peers with every director.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { commandAvailable, type Lan, type LanHost, type NetnsAvailability } from '../netns/harness.js';
import { pollUntil } from '../contract/contract.js';

const WAIT_MS = 60_000;

/**
 * BIRD 2 as the upstream router: one eBGP session per director (AS 65001 + i); `show route` lists a route per
 * director announcing a prefix. It exports nothing.
 */
export const birdUpstream = (up: LanHost, directors: readonly LanHost[]): string => `router id ${up.ipv4};
log stderr all;
protocol device { }
${directors
  .map(
    (d, i) => `protocol bgp director${i + 1} {
  local as 65000;
  neighbor ${d.ipv4} as ${65001 + i};
  hold time 9;
  ipv4 { import all; export none; };
}`,
  )
  .join('\n')}
`;

/** BIRD 2 on the director: the kernel protocol learns table 100 (vigil's routes, proto 86), BGP exports them. */
export const birdDirector = (dir: LanHost, up: LanHost, table: number, as = 65001): string => `router id ${dir.ipv4};
log stderr all;
protocol device { }
protocol kernel vigil_vips {
  ipv4 { import all; export none; };
  kernel table ${table};
  learn;
}
protocol bgp upstream {
  local as ${as};
  neighbor ${up.ipv4} as 65000;
  hold time 9;
  ipv4 { import none; export where proto = "vigil_vips"; next hop self; };
}
`;

/** FRR on the director: zebra imports table 100 into its RIB, bgpd redistributes it. */
export const frrZebra = (table: number): string => `ip import-table ${table}\n`;
export const frrBgpd = (dir: LanHost, up: LanHost, table: number, as = 65001): string => `router bgp ${as}
 bgp router-id ${dir.ipv4}
 no bgp ebgp-requires-policy
 neighbor ${up.ipv4} remote-as 65000
 neighbor ${up.ipv4} timers 3 9
 address-family ipv4 unicast
  redistribute table ${table}
 exit-address-family
`;

const installed = (path: string, what: string) => (): NetnsAvailability => (existsSync(path) ? { ok: true } : { ok: false, reason: `${what} not installed` });

/** What the BIRD 2 speakers need installed (for requireRealNetwork). */
export const BIRD_NEEDS: readonly (() => NetnsAvailability)[] = [() => commandAvailable('bird'), () => commandAvailable('birdc')];

/** What FRR's speakers (zebra, bgpd, through vtysh) need installed. */
export const FRR_NEEDS: readonly (() => NetnsAvailability)[] = [() => commandAvailable('vtysh'), installed('/usr/lib/frr/zebra', 'FRR zebra'), installed('/usr/lib/frr/bgpd', 'FRR bgpd')];

export interface Speaker {
  log(): string;
  stop(): Promise<void>;
}

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `vigil-announce-${name}-`));
  await chmod(dir, 0o777);
  return dir;
}

function collect(child: ChildProcess, into: { text: string }): void {
  child.stdout?.on('data', (c: Buffer) => (into.text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (into.text += c.toString()));
}

/** BIRD 2 in `ns`, its own config, control socket and pid file, in the foreground (the LAN kills it). */
export async function startBird(lan: Lan, ns: string, name: string, config: string): Promise<Speaker & { ctl: string }> {
  const dir = await tempDir(`bird-${name}`);
  const files = { conf: join(dir, 'bird.conf'), ctl: join(dir, 'bird.ctl'), pid: join(dir, 'bird.pid') };
  await writeFile(files.conf, config);
  const log = { text: '' };
  const child = lan.spawn(ns, ['bird', '-f', '-c', files.conf, '-s', files.ctl, '-P', files.pid]);
  collect(child, log);
  return {
    ctl: files.ctl,
    log: () => log.text,
    async stop() {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** FRR's zebra and bgpd in `ns`: their own zserv socket, pid files and vty socket directory. */
export async function startFrr(lan: Lan, ns: string, zebraConf: string, bgpdConf: string): Promise<Speaker & { vtysh(command: string): Promise<string> }> {
  const dir = await tempDir('frr');
  const files = { zebra: join(dir, 'zebra.conf'), bgpd: join(dir, 'bgpd.conf'), zserv: join(dir, 'zserv.api') };
  await writeFile(files.zebra, zebraConf, { mode: 0o644 });
  await writeFile(files.bgpd, bgpdConf, { mode: 0o644 });
  const log = { text: '' };
  const common = ['-z', files.zserv, '--vty_socket', dir, '-u', 'frr', '-g', 'frr', '-A', '127.0.0.1', '-P', '0', '--log', 'stdout'];
  const zebra = lan.spawn(ns, ['/usr/lib/frr/zebra', '-f', files.zebra, '-i', join(dir, 'zebra.pid'), ...common]);
  collect(zebra, log);
  await pollUntil(() => existsSync(files.zserv), 'zebra listening', WAIT_MS, 50);
  const bgpd = lan.spawn(ns, ['/usr/lib/frr/bgpd', '-f', files.bgpd, '-i', join(dir, 'bgpd.pid'), ...common]);
  collect(bgpd, log);
  return {
    log: () => log.text,
    vtysh: async (command) => (await lan.exec(ns, ['vtysh', '--vty_socket', dir, '-c', command])).stdout,
    async stop() {
      bgpd.kill('SIGKILL');
      zebra.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether BIRD's `show route PREFIX` (through its control socket) lists the prefix via `nextHop`. */
export async function birdHasRoute(lan: Lan, ns: string, ctl: string, prefix: string, nextHop: string): Promise<boolean> {
  // birdc fails while BIRD is starting (no control socket yet): not there.
  const stdout = await lan.exec(ns, ['birdc', '-s', ctl, 'show', 'route', prefix]).then((r) => r.stdout, () => '');
  return stdout.includes(prefix) && stdout.includes(nextHop);
}

/** A director's vigil: the nftables virtual server `vip` port 80 announced into `table` while its real server's TCP 8080 answers (checked every second). */
export const announcedVirtualServer = (vip: string, realServer: string, table: number): string => `global_defs {
  router_id director
  lvs_backend nftables
}
virtual_server ${vip} 80 {
  announce_table ${table}
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${realServer} 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`;

/** A TCP server on 8080 in `ns`, bound to `listen` (the real server's service): accepts and closes. */
export function startTcpRealServer(lan: Lan, ns: string, listen: '0.0.0.0' | '::'): ChildProcess {
  return lan.spawn(ns, [process.execPath, '-e', `require('net').createServer((s) => s.end()).listen(8080, '${listen}')`]);
}
