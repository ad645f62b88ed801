/**
 * Running vigil again, same pid: with Node flags it needs (actors/daemon/node-flags.ts), or in a named network
 * namespace (keepalived's net_namespace): the process is replaced, keeping its pid, by `ip netns exec NAME` running
 * the same command line; that joins /run/netns/NAME and gives a mount namespace of its own with the namespace's /sys.
 * keepalived setns()es itself, but a thread cannot join a mount namespace in a process that has other threads, as
 * Node's has.
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

const environ = (env: Readonly<Record<string, string | undefined>>): string[] => Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));

/** This process's command line, with `nodeFlags` added to Node's own. */
const commandLine = (nodeFlags: readonly string[]): string[] => [process.execPath, ...process.execArgv, ...nodeFlags, ...process.argv.slice(1)];

/**
 * Replaces this process with itself run by `ip netns exec NAME`, in `env`, with `nodeFlags` added to Node's (see
 * runAgainWithNodeFlags). Returns only with an error message.
 */
export function runInNetworkNamespace(name: string, env: Readonly<Record<string, string | undefined>>, nodeFlags: readonly string[] = []): string {
  const ip = IP_COMMANDS.find((p) => existsSync(p));
  if (ip === undefined) return `no ip command (iproute2) in ${IP_COMMANDS.join(', ')}`;
  try {
    execve(ip, [ip, 'netns', 'exec', name, ...commandLine(nodeFlags)], environ(env));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return 'execve returned';
}

/** Replaces this process (same pid) with itself run with `nodeFlags` added to Node's, in `env`. Returns only with an error message. */
export function runAgainWithNodeFlags(nodeFlags: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  try {
    execve(process.execPath, commandLine(nodeFlags), environ(env));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return 'execve returned';
}
