/**
 * Running real daemons in the namespaces of a test LAN: vigil (bin/vigil run) and Debian's keepalived, with
 * their own pid files, logs captured, and helpers to read the VIPs of a namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import type { Lan, LanHost } from '../netns/harness.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
export const VIGIL = join(ROOT, 'bin/vigil');

export interface Daemon {
  readonly kind: 'vigil' | 'keepalived';
  readonly host: LanHost;
  readonly dir: string;
  readonly conf: string;
  proc: ChildProcess;
  log(): string;
  /** The PID that holds the VRRP sockets (keepalived's VRRP child; vigil itself). */
  vrrpPid(): number | undefined;
  kill(signal: NodeJS.Signals): void;
  /** Waits until the process has exited. */
  exited(timeoutMs?: number): Promise<number | null>;
  restart(): void;
  statusSocket: string;
  /** Where vigil writes its SIGUSR1/SIGUSR2 dumps (--dump-dir). */
  dumpDir: string;
  /** vigil's pid file. */
  pidFile: string;
}

export interface DaemonOptions {
  /** More arguments for `vigil run`, given the daemon's directory. */
  readonly args?: (dir: string) => readonly string[];
  /** Runs the command line through this (e.g. `unshare … sh -c …` for a mount namespace of its own). */
  readonly wrap?: (argv: readonly string[], dir: string) => readonly string[];
  /** Called with the daemon's directory before it starts (to put files in place). */
  readonly prepare?: (dir: string) => void;
  /** Variables added to the daemon's environment (NOTIFY_SOCKET …). */
  readonly env?: Readonly<Record<string, string>>;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startDaemon(lan: Lan, host: LanHost, kind: 'vigil' | 'keepalived', config: string, options: DaemonOptions = {}): Daemon {
  const dir = mkdtempSync(join(tmpdir(), `${kind}-${host.name}-`));
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, config);
  // --dump-dir of its own: the default, /run/vigil, is the host's, shared by every daemon.
  const files = { pid: join(dir, 'main.pid'), vrrp: join(dir, 'vrrp.pid'), check: join(dir, 'check.pid'), sock: join(dir, 'status.sock'), dumps: join(dir, 'run') };
  options.prepare?.(dir);
  let output = '';
  const command =
    kind === 'vigil'
      ? [VIGIL, 'run', '-f', conf, '-p', files.pid, '--status-socket', files.sock, '--dump-dir', files.dumps, '-D', ...(options.args?.(dir) ?? [])]
      : ['keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', files.pid, '-r', files.vrrp, '-c', files.check, ...(options.args?.(dir) ?? [])];
  const argv = options.wrap ? options.wrap(command, dir) : command;
  const spawnIt = (): ChildProcess => {
    const proc = options.env ? lan.spawn(host.ns, argv, { env: { ...process.env, ...options.env } }) : lan.spawn(host.ns, argv);
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    return proc;
  };
  const daemon: Daemon = {
    kind,
    host,
    dir,
    conf,
    proc: spawnIt(),
    statusSocket: files.sock,
    dumpDir: files.dumps,
    pidFile: files.pid,
    log: () => output,
    vrrpPid: () => (kind === 'vigil' ? daemon.proc.pid : readPid(files.vrrp)),
    kill(signal) {
      const pid = daemon.vrrpPid();
      const send = (p: number | undefined, sig: NodeJS.Signals): void => {
        if (!p) return;
        try {
          process.kill(p, sig);
        } catch {
          // gone already
        }
      };
      send(pid, signal);
      // keepalived: the VRRP child is the one that crashes; its parent would restart it (or, dying first, make the
      // child shut down gracefully through PDEATHSIG), so the parent goes right after.
      if (kind === 'keepalived' && signal === 'SIGKILL') send(daemon.proc.pid, 'SIGKILL');
    },
    exited(timeoutMs = 10_000) {
      const p = daemon.proc;
      if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
      return Promise.race([
        new Promise<number | null>((r) => p.once('exit', (code) => r(code))),
        delay(timeoutMs).then(() => {
          throw new Error(`${kind} on ${host.name} did not exit within ${timeoutMs} ms`);
        }),
      ]);
    },
    restart() {
      for (const f of [files.pid, files.vrrp, files.check]) rmSync(f, { force: true });
      daemon.proc = spawnIt();
    },
  };
  return daemon;
}

/** `ip -o monitor address` in a namespace: every address change there, as text, from now until stop(). */
export function monitorAddresses(lan: Lan, ns: string): { text(): string; stop(): void } {
  const monitor = lan.spawn(ns, ['ip', '-o', 'monitor', 'address']);
  let text = '';
  monitor.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  return { text: () => text, stop: () => monitor.kill('SIGKILL') };
}

/** Addresses on eth0 of a namespace (without prefix). */
export async function addressesIn(lan: Lan, host: LanHost): Promise<string[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show', 'dev', 'eth0']);
  const parsed = JSON.parse(stdout) as { addr_info: { local: string }[] }[];
  return parsed.flatMap((l) => l.addr_info.map((a) => a.local));
}

/**
 * The least time a wait gives its condition. `timeoutMs` is what the protocol or the daemon should need; on a
 * loaded machine (two CPUs shared by several test runs) it may need more, and a test asserts what happens, not
 * how fast (speed goals live in bench/).
 */
export const MIN_WAIT_MS = 20_000;

/** Polls until `check` returns true; fails with `describe()` after max(timeoutMs, MIN_WAIT_MS). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, describe: () => string | Promise<string>, pollMs = 50): Promise<number> {
  const limit = Math.max(timeoutMs, MIN_WAIT_MS);
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limit) throw new Error(`timed out after ${limit} ms: ${await describe()}`);
    await delay(pollMs);
  }
}

export interface VigilStatus {
  reloads: number;
  drops: Record<string, number>;
  /** Packets the kernel dropped at a full receive buffer (absent from a vigil that predates it). */
  kernel_drops?: number;
  instances: { name: string; state: string; counters: { adverts_sent: number; adverts_received: number; drops: Record<string, number> } }[];
}

/** `vigil status --json` of a vigil daemon, read in its namespace. */
export async function vigilStatus(lan: Lan, d: Daemon): Promise<VigilStatus> {
  const { stdout } = await lan.exec(d.host.ns, [VIGIL, 'status', '--json', '--socket', d.statusSocket]);
  return JSON.parse(stdout) as VigilStatus;
}

/** Which hosts hold `vip` right now. */
export async function holders(lan: Lan, hosts: readonly LanHost[], vip: string): Promise<string[]> {
  const out: string[] = [];
  for (const h of hosts) if ((await addressesIn(lan, h)).includes(vip)) out.push(h.name);
  return out;
}

export function vrrpConfig(o: {
  name?: string;
  vrid: number;
  priority: number;
  version: 2 | 3;
  vip: string;
  advert?: string;
  state?: 'MASTER' | 'BACKUP';
  unicastSrc?: string;
  unicastPeers?: readonly string[];
  extra?: string;
}): string {
  const unicast = o.unicastPeers ? `unicast_src_ip ${o.unicastSrc}\n  unicast_peer {\n${o.unicastPeers.map((p) => `    ${p}\n`).join('')}  }\n` : '';
  return `global_defs {
  router_id ${o.name ?? 'test'}
  vrrp_version ${o.version}
}
vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface eth0
  virtual_router_id ${o.vrid}
  priority ${o.priority}
  advert_int ${o.advert ?? 1}
  ${unicast}
  ${o.extra ?? ''}
  virtual_ipaddress {
    ${o.vip}
  }
}
`;
}

export function cleanupDir(d: Daemon): void {
  rmSync(d.dir, { recursive: true, force: true });
}

/**
 * The end of a daemon test: every daemon killed (SIGKILL by PID), the LAN's namespaces removed, the daemons' files
 * too. An undefined entry (a daemon the test did not get to start) is passed over.
 */
export async function stopDaemons(lan: Lan, daemons: readonly (Daemon | undefined)[]): Promise<void> {
  for (const d of daemons) d?.kill('SIGKILL');
  await lan.cleanup();
  for (const d of daemons) if (d) cleanupDir(d);
}
