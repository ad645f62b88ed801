/**
 * announce_table with real BGP speakers, in namespaces: a director running vigil and its speaker (BIRD 2, or FRR's
 * zebra + bgpd), peering eBGP with an upstream router running BIRD 2, and a real server. vigil's virtual server
 * announces 192.168.77.100 in table 100 while its quorum is up; the speaker exports the table (BIRD: kernel
 * protocol with `learn`; FRR: `ip import-table 100` and `redistribute table 100`). The upstream learns the VIP
 * when the quorum is up, loses it when the real server fails, learns it again when it is back, and loses it after
 * `kill -9` of vigil (its TUN device, and every route through it, gone with it). The times are printed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { commandAvailable, createLan, type Lan, type LanHost, type NetnsAvailability } from '../netns/harness.js';
import { requireRealNetwork } from './helpers.js';
import { startDaemon, type Daemon } from '../daemon/daemons.js';
import { pollUntil } from '../contract/contract.js';

const VIP = '192.168.77.100';
const TABLE = 100;
/** Generous bounds for a loaded machine: what is asserted is that it happens, the times are printed. */
const WAIT_MS = 60_000;

const vigilConfig = (rs: LanHost): string => `global_defs {
  router_id director
  lvs_backend nftables
}
virtual_server ${VIP} 80 {
  announce_table ${TABLE}
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${rs.ipv4} 8080 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`;

const birdUpstream = (up: LanHost, dir: LanHost): string => `router id ${up.ipv4};
log stderr all;
protocol device { }
protocol bgp director {
  local as 65000;
  neighbor ${dir.ipv4} as 65001;
  hold time 9;
  ipv4 { import all; export none; };
}
`;

/** BIRD 2 on the director: the kernel protocol learns table 100 (vigil's routes, proto 86), BGP exports them. */
export const birdDirector = (dir: LanHost, up: LanHost, table = TABLE): string => `router id ${dir.ipv4};
log stderr all;
protocol device { }
protocol kernel vigil_vips {
  ipv4 { import all; export none; };
  kernel table ${table};
  learn;
}
protocol bgp upstream {
  local as 65001;
  neighbor ${up.ipv4} as 65000;
  hold time 9;
  ipv4 { import none; export where proto = "vigil_vips"; next hop self; };
}
`;

/** FRR on the director: zebra imports table 100 into its RIB, bgpd redistributes it. */
export const frrZebra = (table = TABLE): string => `ip import-table ${table}\n`;
export const frrBgpd = (dir: LanHost, up: LanHost, table = TABLE): string => `router bgp 65001
 bgp router-id ${dir.ipv4}
 no bgp ebgp-requires-policy
 neighbor ${up.ipv4} remote-as 65000
 neighbor ${up.ipv4} timers 3 9
 address-family ipv4 unicast
  redistribute table ${table}
 exit-address-family
`;

interface Speaker {
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
async function startBird(lan: Lan, ns: string, name: string, config: string): Promise<Speaker & { ctl: string }> {
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
async function startFrr(lan: Lan, ns: string, zebraConf: string, bgpdConf: string): Promise<Speaker & { vtysh(command: string): Promise<string> }> {
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

/** A TCP server on 8080 in `ns` (the real server's service): accepts and closes. */
function startRealServer(lan: Lan, ns: string): ChildProcess {
  return lan.spawn(ns, [process.execPath, '-e', "require('net').createServer((s) => s.end()).listen(8080, '0.0.0.0')"]);
}

async function scenario(t: TestContext, name: string, director: (lan: Lan, dir: LanHost, up: LanHost) => Promise<Speaker>): Promise<void> {
  const lan = await createLan({ name, hosts: ['dir', 'up', 'rs'], v4Prefix: '192.168.77.X', v4Start: 11, v4PrefixLength: 24 });
  const [dir, up, rs] = [lan.host('dir'), lan.host('up'), lan.host('rs')];
  const speakers: Speaker[] = [];
  let vigil: Daemon | undefined;
  const logs = (): string => `\n--- vigil:\n${vigil?.log() ?? ''}\n${speakers.map((s) => `--- speaker:\n${s.log()}`).join('\n')}`;
  try {
    const upstream = await startBird(lan, up.ns, 'up', birdUpstream(up, dir));
    speakers.push(upstream);
    speakers.push(await director(lan, dir, up));
    const learned = async (): Promise<boolean> => {
      // birdc fails while BIRD is starting (no control socket yet): not learned.
      const stdout = await lan.exec(up.ns, ['birdc', '-s', upstream.ctl, 'show', 'route', `${VIP}/32`]).then((r) => r.stdout, () => '');
      return stdout.includes(`${VIP}/32`) && stdout.includes(`via ${dir.ipv4}`);
    };
    const until = async (want: boolean, what: string): Promise<number> => {
      const start = performance.now();
      await pollUntil(async () => (await learned()) === want, what, WAIT_MS, 20).catch((e: Error) => assert.fail(`${e.message}${logs()}`));
      return performance.now() - start;
    };
    let server = startRealServer(lan, rs.ns);
    vigil = startDaemon(lan, dir, 'vigil', vigilConfig(rs));
    const first = await until(true, 'the upstream learns the VIP (quorum up)');
    console.log(`# ${name}: the upstream learned ${VIP}/32 ${first.toFixed(0)} ms after vigil started`);
    const { stdout } = await lan.exec(dir.ns, ['ip', '-N', '-j', 'route', 'show', 'table', String(TABLE), 'proto', '86']);
    assert.deepEqual((JSON.parse(stdout) as { dst: string; dev: string }[]).map((r) => `${r.dst} ${r.dev}`), [`${VIP} vigil-announce`]);

    server.kill('SIGKILL');
    const lost = await until(false, 'the upstream loses the VIP when the real server fails (quorum down)');
    console.log(`# ${name}: withdrawn ${lost.toFixed(0)} ms after the real server was killed (delay_loop 1, connect_timeout 1)`);
    server = startRealServer(lan, rs.ns);
    await until(true, 'the upstream learns the VIP again when the real server is back');

    vigil.kill('SIGKILL');
    await vigil.exited();
    const dead = await until(false, 'the upstream loses the VIP after kill -9 of vigil');
    console.log(`# ${name}: withdrawn ${dead.toFixed(0)} ms after vigil was killed (SIGKILL)`);
    const link = await lan.exec(dir.ns, ['ip', '-j', 'link', 'show']);
    assert.ok(!link.stdout.includes('vigil-announce'), 'the TUN device is gone');
    server.kill('SIGKILL');
  } finally {
    for (const s of speakers) await s.stop();
    await lan.cleanup();
  }
}

const installed = (path: string, what: string) => (): NetnsAvailability => (existsSync(path) ? { ok: true } : { ok: false, reason: `${what} not installed` });

test('announce_table with BIRD 2: the upstream learns the VIP while the quorum is up, loses it on a failure and on kill -9', { timeout: 300_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('bird'), () => commandAvailable('birdc'), () => commandAvailable('nft'))) return;
  await scenario(t, 'announcebird', async (lan, dir, up) => startBird(lan, dir.ns, 'dir', birdDirector(dir, up)));
});

test('announce_table with FRR (zebra ip import-table, bgpd redistribute table): the same', { timeout: 300_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('bird'), () => commandAvailable('birdc'), () => commandAvailable('nft'), () => commandAvailable('vtysh'), installed('/usr/lib/frr/zebra', 'FRR zebra'), installed('/usr/lib/frr/bgpd', 'FRR bgpd'))) return;
  await scenario(t, 'announcefrr', async (lan, dir, up) => startFrr(lan, dir.ns, frrZebra(), frrBgpd(dir, up)));
});
