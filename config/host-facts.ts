/**
 * What the host checks need to know about the machine a configuration is tested on, read from it: its network
 * interfaces (/sys/class/net: type and flags, the devices each is stacked on), iproute2's name files, its users and
 * groups (/etc/passwd, /etc/group), and file metadata for the scripts. Tests build a HostFacts of their own.
 *
 * Users and groups come from the files, not from NSS: a script user known only to LDAP reads as missing.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { delimiter } from 'node:path';
import { iproute2Names, type Iproute2Names } from './iproute2-names.js';

/** ARPHRD_* of <linux/if_arp.h>. */
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
/** IFF_* of <linux/if.h>. */
export const IFF_MULTICAST = 0x1000;

export interface HostInterface {
  readonly name: string;
  /** ARPHRD_* (/sys/class/net/NAME/type). */
  readonly type: number;
  /** IFF_* (/sys/class/net/NAME/flags). */
  readonly flags: number;
  /** The devices it is stacked on (a macvlan's or VLAN's parent): /sys/class/net/NAME/lower_*. */
  readonly lower: readonly string[];
}

export interface FileInfo {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly uid: number;
  readonly gid: number;
  /** Permission bits with setuid / setgid / sticky (st_mode & 07777). */
  readonly mode: number;
  /** Device and inode: equal for two paths of one file. */
  readonly id: string;
}

export interface HostAccount {
  readonly uid: number;
  readonly gid: number;
}

export interface HostFacts {
  /** By name; undefined when the interfaces cannot be read (then nothing is said about interfaces). */
  readonly interfaces: ReadonlyMap<string, HostInterface> | undefined;
  readonly names: Iproute2Names;
  user(name: string): HostAccount | undefined;
  /** A group's id. */
  group(name: string): number | undefined;
  /** Metadata of a path, following symbolic links (stat) or not (lstat). */
  stat(path: string): FileInfo | undefined;
  lstat(path: string): FileInfo | undefined;
  /** The path with symbolic links, `.` and `..` resolved, or undefined when some part does not exist. */
  realpath(path: string): string | undefined;
  /** Directories searched for a script named without a slash ($PATH). */
  readonly searchPath: readonly string[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readInterfaces(dir: string): Map<string, HostInterface> | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const out = new Map<string, HostInterface>();
  for (const name of names) {
    const type = Number((readText(`${dir}/${name}/type`) ?? '').trim());
    const flags = Number((readText(`${dir}/${name}/flags`) ?? '').trim());
    let lower: string[] = [];
    try {
      lower = readdirSync(`${dir}/${name}`)
        .filter((f) => f.startsWith('lower_'))
        .map((f) => f.slice('lower_'.length));
    } catch {
      // vanished while read
    }
    out.set(name, { name, type: Number.isFinite(type) ? type : 0, flags: Number.isFinite(flags) ? flags : 0, lower });
  }
  return out;
}

/** `name:x:id:…` lines of /etc/passwd or /etc/group, by name. */
function colonFile(path: string): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const line of (readText(path) ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts.length >= 3 && parts[0] !== '' && !out.has(parts[0]!)) out.set(parts[0]!, parts);
  }
  return out;
}

function info(s: Stats): FileInfo {
  const kind = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : 'other';
  return { kind, uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, id: `${s.dev}:${s.ino}` };
}

export interface HostFactsOptions {
  readonly sysClassNet?: string;
  readonly passwd?: string;
  readonly groupFile?: string;
  readonly iproute2Dir?: string;
  readonly path?: string | undefined;
}

/** The facts of the machine this process runs on (in its network namespace). Files are read when first needed. */
export function readHostFacts(options: HostFactsOptions = {}): HostFacts {
  let interfaces: Map<string, HostInterface> | undefined | null = null;
  let users: Map<string, readonly string[]> | undefined;
  let groups: Map<string, readonly string[]> | undefined;
  const names = options.iproute2Dir !== undefined ? iproute2Names(undefined, options.iproute2Dir) : iproute2Names();
  return {
    get interfaces() {
      if (interfaces === null) interfaces = readInterfaces(options.sysClassNet ?? '/sys/class/net');
      return interfaces;
    },
    names,
    user(name) {
      users ??= colonFile(options.passwd ?? '/etc/passwd');
      const p = users.get(name);
      return p ? { uid: Number(p[2]), gid: Number(p[3]) } : undefined;
    },
    group(name) {
      groups ??= colonFile(options.groupFile ?? '/etc/group');
      const g = groups.get(name);
      return g ? Number(g[2]) : undefined;
    },
    stat(path) {
      try {
        return info(statSync(path));
      } catch {
        return undefined;
      }
    },
    lstat(path) {
      try {
        return info(lstatSync(path));
      } catch {
        return undefined;
      }
    },
    realpath(path) {
      try {
        return realpathSync(path);
      } catch {
        return undefined;
      }
    },
    searchPath: (options.path ?? process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter),
  };
}
