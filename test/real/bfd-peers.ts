/**
 * BFD peers for the interop tests, each in a namespace of a test LAN with its own files: Debian's keepalived
 * (its BFD child, pid file `-b`) and FRR's bfdd run alone (its own pid file and vty socket directory). Every
 * process is killed by PID on stop.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Lan } from '../netns/harness.js';

export interface BfdPeer {
  log(): string;
  /** SIGKILL by PID to every process of the peer: it falls silent at once, as a dead host would. */
  kill(): Promise<void>;
  /** Kills what is left and removes its files. */
  stop(): Promise<void>;
}

/** The PID in a pid file, or undefined while there is none. */
export async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killPid(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** keepalived -n with only a BFD child worth the name (no VRRP or checker configuration). */
export async function startKeepalivedBfd(lan: Lan, ns: string, config: string): Promise<BfdPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-ka-bfd-'));
  const files = { conf: join(dir, 'keepalived.conf'), pid: join(dir, 'main.pid'), vrrp: join(dir, 'vrrp.pid'), check: join(dir, 'check.pid'), bfd: join(dir, 'bfd.pid') };
  await writeFile(files.conf, config);
  let log = '';
  const child = lan.spawn(ns, ['keepalived', '-n', '-l', '-D', '-f', files.conf, '-p', files.pid, '-r', files.vrrp, '-c', files.check, '-b', files.bfd]);
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const children = async (): Promise<(number | undefined)[]> => Promise.all([readPid(files.bfd), readPid(files.vrrp), readPid(files.check)]);
  let known: (number | undefined)[] = [];
  // The children write their pid files once they run: remember them while the files are there (a generous bound:
  // on a loaded machine keepalived takes more than the 2 s this once allowed, and its BFD child was then left behind).
  for (const start = performance.now(); (known = await children())[0] === undefined && performance.now() - start < 20_000; ) await delay(20);
  const kill = async (): Promise<void> => {
    const now = await children();
    for (const pid of [...now, ...known]) killPid(pid);
    killPid(child.pid);
  };
  return {
    log: () => log,
    kill,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * FRR's bfdd alone in a namespace with its configuration file (`-f`), its own pid file, vty socket directory and
 * control socket; it runs as the frr user (root is not in frrvty), so its directory is open to it.
 */
export async function startFrrBfdd(lan: Lan, ns: string, config: string): Promise<BfdPeer & { show(): Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-frr-bfd-'));
  await chmod(dir, 0o777);
  const files = { conf: join(dir, 'bfdd.conf'), pid: join(dir, 'bfdd.pid'), ctl: join(dir, 'bfdd.sock') };
  await writeFile(files.conf, config, { mode: 0o644 });
  let log = '';
  const child = lan.spawn(ns, ['/usr/lib/frr/bfdd', '-f', files.conf, '-i', files.pid, '--vty_socket', dir, '--bfdctl', files.ctl, '-u', 'frr', '-g', 'frr', '-A', '127.0.0.1', '-P', '0', '--log', 'stdout', '--log-level', 'debug']);
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const kill = async (): Promise<void> => {
    killPid(await readPid(files.pid));
    killPid(child.pid);
  };
  return {
    log: () => log,
    kill,
    /** `show bfd peers json` through vtysh on bfdd's own vty socket. */
    show: async () => (await lan.exec(ns, ['vtysh', '--vty_socket', dir, '-c', 'show bfd peers json'])).stdout,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
