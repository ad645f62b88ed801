/**
 * Running vigil in a named network namespace (keepalived's net_namespace): the process is replaced, keeping its
 * pid, by `ip netns exec NAME` running the same command line; that joins /run/netns/NAME and gives a mount
 * namespace of its own with the namespace's /sys. keepalived setns()es itself, but a thread cannot join a mount
 * namespace in a process that has other threads, as Node's has.
 */
import { existsSync, statSync } from 'node:fs';
import { execve } from '../../native/index.js';

const IP_COMMANDS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** Whether this process is in the named network namespace (its nsfs inode is /run/netns/NAME's). Throws if none. */
export function inNetworkNamespace(name: string): boolean {
  const named = statSync(`/run/netns/${name}`);
  const own = statSync('/proc/self/ns/net');
  return named.ino === own.ino && named.dev === own.dev;
}

/** Replaces this process with itself run by `ip netns exec NAME`, in `env`. Returns only with an error message. */
export function runInNetworkNamespace(name: string, env: Readonly<Record<string, string | undefined>>): string {
  const ip = IP_COMMANDS.find((p) => existsSync(p));
  if (ip === undefined) return `no ip command (iproute2) in ${IP_COMMANDS.join(', ')}`;
  const argv = [ip, 'netns', 'exec', name, process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  try {
    execve(ip, argv, Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return 'execve returned';
}
