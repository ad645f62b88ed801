/**
 * Network-namespace harness for tests that need real sockets: a LAN of namespaces joined by a bridge (itself in
 * its own namespace), with IPv4 (and optional IPv6) addresses, plus process management inside namespaces.
 *
 * Every name carries a per-process, per-LAN prefix so parallel test files never collide; cleanup() (also run at
 * process exit as a last resort) kills the processes it started, by PID, and deletes the namespaces.
 */
import { execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { TestContext } from 'node:test';
import { NamespaceSet, type ExecResult } from './namespace-set.js';

export type { ExecResult } from './namespace-set.js';

export interface LanHost {
  /** The name given in `hosts`. */
  readonly name: string;
  /** Network namespace of this host. */
  readonly ns: string;
  /** Its interface on the LAN (always `eth0`). */
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv4Prefix: number;
  /** Global IPv6 address when `v6Prefix` was given. */
  readonly ipv6?: string;
  readonly ipv6LinkLocal: string;
  readonly mac: string;
}

export interface Lan {
  readonly name: string;
  /** Namespace holding the bridge `br0`. */
  readonly bridgeNs: string;
  readonly hosts: readonly LanHost[];
  host(name: string): LanHost;
  /** Runs a command in a namespace to completion; rejects on a non-zero exit. */
  exec(ns: string, cmd: readonly string[]): Promise<ExecResult>;
  /** Starts a long-running command in a namespace; its PID is tracked and killed by cleanup(). */
  spawn(ns: string, cmd: readonly string[], options?: SpawnOptions): ChildProcess;
  /** `ip link del eth0` in the host's namespace (its bridge port goes with it, and every address on it). */
  deleteInterface(host: LanHost): Promise<void>;
  /** eth0 created again as createLan made it (same MAC, hence the same link-local address; addresses; up), with a new index. */
  createInterface(host: LanHost): Promise<void>;
  /** Kills tracked processes (SIGKILL, by PID), deletes the namespaces. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface LanOptions {
  /** Short name for this LAN (letters/digits), part of every namespace name. */
  readonly name: string;
  readonly hosts: readonly string[];
  /** IPv4 pattern with X replaced by the host number, e.g. '192.168.77.X'. */
  readonly v4Prefix: string;
  /** First host number (default 65, so hosts get .65, .66, … inside 192.168.77.64/26). */
  readonly v4Start?: number;
  readonly v4PrefixLength?: number;
  /** IPv6 pattern with X replaced by the host number in hex-free decimal text, e.g. 'fd77::64:X'. */
  readonly v6Prefix?: string;
  readonly v6PrefixLength?: number;
}

export type NetnsAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let availability: NetnsAvailability | undefined;
let lanCounter = 0;
const liveLans = new Set<Lan>();

/** Whether this process can create namespaces (root, iproute2 present, netns works). Cached. */
export function netnsAvailable(): NetnsAvailability {
  if (availability !== undefined) return availability;
  if (process.platform !== 'linux') return (availability = { ok: false, reason: 'network namespaces need Linux' });
  if (process.getuid?.() !== 0) return (availability = { ok: false, reason: 'network namespaces need root' });
  const probe = `vigil-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', probe, 'ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], {
      stdio: 'pipe',
    });
    availability = { ok: true };
  } catch (error) {
    availability = { ok: false, reason: `cannot create a network namespace with veth: ${String(error)}` };
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    } catch {
      // probe never created
    }
  }
  return availability;
}

/**
 * At the top of a namespaced test: `if (!requireNetns(t)) return;`. Skips with the reason, or fails when
 * VIGIL_REQUIRE_NETNS=1 (CI machines that must run these tests).
 */
export function requireNetns(t: TestContext, extra?: () => NetnsAvailability): boolean {
  let status = netnsAvailable();
  if (status.ok && extra !== undefined) status = extra();
  if (status.ok) return true;
  if (process.env['VIGIL_REQUIRE_NETNS'] === '1') throw new Error(`VIGIL_REQUIRE_NETNS=1 but: ${status.reason}`);
  t.skip(status.reason);
  return false;
}

/** Whether a program is on PATH (for tests that need tcpdump or keepalived). */
export function commandAvailable(name: string): NetnsAvailability {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return { ok: true };
  } catch {
    return { ok: false, reason: `${name} is not installed` };
  }
}

export async function createLan(options: LanOptions): Promise<Lan> {
  if (!/^[a-z0-9]{1,12}$/i.test(options.name)) throw new Error(`LAN name must be 1-12 letters/digits: ${options.name}`);
  lanCounter++;
  const prefix = `vigil-${options.name}-${process.pid}-${lanCounter}`;
  const bridgeNs = `${prefix}-br`;
  const set = new NamespaceSet(() => liveLans.delete(lan));
  const exec = (ns: string, cmd: readonly string[]): Promise<ExecResult> => set.exec(ns, cmd);

  const lan: Lan = {
    name: prefix,
    bridgeNs,
    hosts: [],
    host(name: string): LanHost {
      const found = this.hosts.find((h) => h.name === name);
      if (found === undefined) throw new Error(`no host ${name} on ${prefix}`);
      return found;
    },
    exec,
    spawn(ns: string, cmd: readonly string[], spawnOptions: SpawnOptions = {}): ChildProcess {
      return set.spawn(ns, cmd, spawnOptions);
    },
    async deleteInterface(host: LanHost): Promise<void> {
      await exec(host.ns, ['ip', 'link', 'del', host.ifname]);
    },
    async createInterface(host: LanHost): Promise<void> {
      const i = lan.hosts.indexOf(host);
      if (i < 0) throw new Error(`no host ${host.name} on ${prefix}`);
      await plug(host.ns, `p${i}`, host);
    },
    cleanup: (): Promise<void> => set.cleanup(),
  };
  liveLans.add(lan);

  const addNs = async (ns: string): Promise<void> => {
    await set.add(ns);
    // No DAD: link-local and test addresses are usable at once (no 1-2 s tentative phase).
    await exec(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    await exec(ns, ['ip', 'link', 'set', 'lo', 'up']);
  };

  // eth0 of a host: a veth whose other end is port `port` of the bridge, with its addresses, up.
  const plug = async (ns: string, port: string, host: { ipv4: string; ipv4Prefix: number; ipv6?: string; mac?: string }): Promise<void> => {
    await exec(bridgeNs, ['ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', ...(host.mac !== undefined ? ['address', host.mac] : []), 'netns', ns]);
    await exec(bridgeNs, ['ip', 'link', 'set', port, 'master', 'br0', 'up']);
    await exec(ns, ['ip', 'addr', 'add', `${host.ipv4}/${host.ipv4Prefix}`, 'dev', 'eth0']);
    if (host.ipv6 !== undefined) {
      await exec(ns, ['ip', 'addr', 'add', `${host.ipv6}/${options.v6PrefixLength ?? 64}`, 'dev', 'eth0', 'nodad']);
    }
    await exec(ns, ['ip', 'link', 'set', 'eth0', 'up']);
  };

  try {
    await addNs(bridgeNs);
    // mcast_snooping 0: without it the bridge drops IPv6 VRRP multicast (no MLD querier on the LAN).
    await exec(bridgeNs, ['ip', 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await exec(bridgeNs, ['ip', 'link', 'set', 'br0', 'up']);
    const hosts: LanHost[] = [];
    const start = options.v4Start ?? 65;
    for (const [i, name] of options.hosts.entries()) {
      const ns = `${prefix}-${name}`;
      await addNs(ns);
      const n = start + i;
      const ipv4 = options.v4Prefix.replace('X', String(n));
      const ipv4Prefix = options.v4PrefixLength ?? 24;
      const ipv6 = options.v6Prefix?.replace('X', String(n));
      await plug(ns, `p${i}`, { ipv4, ipv4Prefix, ...(ipv6 !== undefined ? { ipv6 } : {}) });
      const info = JSON.parse((await exec(ns, ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout) as Array<{
        address: string;
        addr_info: Array<{ family: string; local: string; scope: string }>;
      }>;
      const entry = info[0];
      const linkLocal = entry?.addr_info.find((a) => a.family === 'inet6' && a.scope === 'link')?.local;
      if (entry === undefined || linkLocal === undefined) throw new Error(`no link-local address on ${ns}`);
      hosts.push({
        name,
        ns,
        ifname: 'eth0',
        ipv4,
        ipv4Prefix,
        ...(ipv6 !== undefined ? { ipv6 } : {}),
        ipv6LinkLocal: linkLocal,
        mac: entry.address,
      });
    }
    (lan as { hosts: readonly LanHost[] }).hosts = hosts;
    return lan;
  } catch (error) {
    set.cleanupSync();
    throw error;
  }
}

// Last resort when a test crashes before its own cleanup: never leave namespaces or processes behind.
process.once('exit', () => {
  for (const lan of [...liveLans]) {
    void lan.cleanup();
  }
});
