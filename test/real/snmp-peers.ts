/**
 * Debian's snmpd (master agent, AgentX on a socket of the test's own) and snmptrapd in a test namespace, and
 * snmpwalk / trap log readers for the SNMP tests. Each runs with its own files in `dir` and is killed by the LAN's
 * cleanup (by PID); snmpd may also be started late, stopped and started again (the subagent's resilience).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lan, LanHost } from '../netns/harness.js';
import { eventually } from '../daemon/daemons.js';

export const SNMP_PORT = 16161;
export const TRAP_PORT = 16162;

export interface SnmpSite {
  readonly agentxSocket: string;
  readonly trapLog: string;
  /** Starts snmpd (again), resolving once its AgentX socket is there; a no-op while it runs. */
  startSnmpd(): Promise<void>;
  /** Kills snmpd (by PID) and waits until it has exited; a no-op when it is not running. */
  stopSnmpd(signal?: NodeJS.Signals): Promise<void>;
}

export interface SnmpdOptions {
  /** false: snmptrapd and the files only, snmpd left to startSnmpd() (a subagent started before its master). */
  readonly snmpd?: boolean;
}

/** Starts snmptrapd and snmpd (AgentX master on dir/agentx) in the host's namespace, on 127.0.0.1. */
export async function startSnmpd(lan: Lan, host: LanHost, dir: string, options: SnmpdOptions = {}): Promise<SnmpSite> {
  const agentxSocket = join(dir, 'agentx');
  const trapLog = join(dir, 'traps.log');
  writeFileSync(join(dir, 'snmptrapd.conf'), 'disableAuthorization yes\n');
  writeFileSync(
    join(dir, 'snmpd.conf'),
    [`master agentx`, `agentXSocket unix:${agentxSocket}`, `agentaddress udp:127.0.0.1:${SNMP_PORT}`, `rocommunity public 127.0.0.1`, `rwcommunity private 127.0.0.1`, `trap2sink 127.0.0.1:${TRAP_PORT} public`, ''].join('\n'),
  );
  // Their persistent files in the test's directory, not /var/lib/snmp (shared with any other run), and not beside
  // the configuration: net-snmp saves them as snmpd.conf / snmptrapd.conf, which a second start would read.
  const persistent = join(dir, 'persistent');
  mkdirSync(persistent, { recursive: true });
  const env = { ...process.env, SNMP_PERSISTENT_DIR: persistent, MIBS: '' };
  lan.spawn(host.ns, ['snmptrapd', '-f', '-C', '-c', join(dir, 'snmptrapd.conf'), '-Lf', trapLog, '-On', `udp:127.0.0.1:${TRAP_PORT}`], { env });
  let snmpd: ChildProcess | undefined;
  const running = (p: ChildProcess | undefined): p is ChildProcess => p !== undefined && p.exitCode === null && p.signalCode === null;
  const site: SnmpSite = {
    agentxSocket,
    trapLog,
    async startSnmpd() {
      if (running(snmpd)) return;
      // A socket an snmpd killed left behind would pass for the new one's.
      rmSync(agentxSocket, { force: true });
      snmpd = lan.spawn(host.ns, ['snmpd', '-f', '-C', '-c', join(dir, 'snmpd.conf'), '-Lf', join(dir, 'snmpd.log')], { env });
      await eventually(async () => existsSync(agentxSocket), 10_000, () => `snmpd made no AgentX socket: ${readIf(join(dir, 'snmpd.log'))}`);
    },
    async stopSnmpd(signal = 'SIGTERM') {
      const p = snmpd;
      if (!running(p) || p.pid === undefined) return;
      const exited = once(p, 'exit');
      process.kill(p.pid, signal);
      await exited;
    },
  };
  if (options.snmpd !== false) await site.startSnmpd();
  return site;
}

function readIf(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `snmpwalk -On` of a subtree: OID → "TYPE: value" (the agent's own text). */
export async function snmpWalk(lan: Lan, host: LanHost, subtree: string): Promise<Map<string, string>> {
  const { stdout } = await lan.exec(host.ns, ['snmpwalk', '-v2c', '-c', 'public', '-On', '-OX', '-m', '', '-t', '5', `127.0.0.1:${SNMP_PORT}`, subtree]);
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\.[\d.]+) = (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * `snmpset` of one object (TYPE as snmpset takes it: i, u, s …) with the write community: what it printed, its
 * error text when the agent refused (snmpset exits 1 then), e.g. "Error in packet.\nReason: wrongValue …".
 */
export async function snmpSet(lan: Lan, host: LanHost, oid: string, type: string, value: string): Promise<string> {
  try {
    const { stdout, stderr } = await lan.exec(host.ns, ['snmpset', '-v2c', '-c', 'private', '-On', '-m', '', '-t', '5', `127.0.0.1:${SNMP_PORT}`, oid, type, value]);
    return `${stdout}${stderr}`.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

/**
 * The notifications under `enterprise` that snmptrapd logged (snmpd's own coldStart left out), each as its varbinds
 * without sysUpTime: "OID = TYPE: value | …".
 */
export function trapsLogged(site: SnmpSite, enterprise = '.1.3.6.1.4.1.9586.'): string[] {
  return readIf(site.trapLog)
    .split('\n')
    .filter((l) => l.includes('.1.3.6.1.6.3.1.1.4.1.0 = OID: ' + enterprise))
    .map((l) =>
      l
        .split('\t')
        .map((v) => v.trim())
        .filter((v) => v !== '' && !v.startsWith('.1.3.6.1.2.1.1.3.0'))
        .join(' | '),
    );
}
