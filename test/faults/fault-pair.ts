/**
 * The fault campaign's stage (issue 13): a LAN of namespaces with a vigil master and a backup (vigil, or keepalived
 * with `peer`), a watch of who holds the VIP, and the checks every case ends with: exactly one holder, both daemons
 * still running.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createLan, type Lan, type LanHost } from '../netns/harness.js';
import { eventually, holders, startDaemon, vigilStatus, type Daemon, type DaemonOptions, stopDaemons } from '../daemon/daemons.js';

export interface Pair {
  readonly lan: Lan;
  readonly m: LanHost;
  readonly b: LanHost;
  readonly dm: Daemon;
  readonly db: Daemon;
  readonly vip: string;
  /** Who holds the VIP now. */
  holders(): Promise<string[]>;
  /** Waits until exactly `name` holds the VIP. */
  heldBy(name: 'm' | 'b', timeoutMs?: number): Promise<void>;
  /** Both daemons are still running (no exit, no crash). */
  assertRunning(): void;
  describe(): Promise<string>;
}

export interface PairOptions {
  /** Per-LAN address block: hosts get .start and .start+1 (and more with `extraHosts`). */
  readonly start: number;
  readonly vip: string;
  readonly vrid: number;
  readonly advert?: string;
  /** Added inside vrrp_instance (both daemons), e.g. track_script. */
  readonly instanceExtra?: (host: 'm' | 'b') => string;
  /** Added at the top of the file (both daemons), e.g. vrrp_script blocks or global_defs. */
  readonly top?: (host: 'm' | 'b') => string;
  readonly extraHosts?: readonly string[];
  readonly daemonOptions?: (host: 'm' | 'b') => DaemonOptions;
  /** Who holds the VIP before the case starts (default the master, m). */
  readonly settled?: 'm' | 'b';
  /** What runs on b, the backup (default vigil; keepalived 2.2.7 for the cases beside it). */
  readonly peer?: 'vigil' | 'keepalived';
}

export function pairConfig(o: PairOptions, host: 'm' | 'b'): string {
  return `${o.top?.(host) ?? ''}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id ${o.vrid}
  version 3
  priority ${host === 'm' ? 150 : 100}
  advert_int ${o.advert ?? '0.5'}
  ${o.instanceExtra?.(host) ?? ''}
  virtual_ipaddress {
    ${o.vip}/26
  }
}
`;
}

export async function withPair(name: string, o: PairOptions, body: (pair: Pair) => Promise<void>): Promise<void> {
  const lan = await createLan({ name, hosts: ['m', 'b', ...(o.extraHosts ?? [])], v4Prefix: '192.168.77.X', v4Start: o.start, v4PrefixLength: 26 });
  const [m, b] = [lan.host('m'), lan.host('b')];
  const daemons: Daemon[] = [];
  try {
    const dm = startDaemon(lan, m, 'vigil', pairConfig(o, 'm'), o.daemonOptions?.('m'));
    daemons.push(dm);
    const db = startDaemon(lan, b, o.peer ?? 'vigil', pairConfig(o, 'b'), o.daemonOptions?.('b'));
    daemons.push(db);
    const who = () => holders(lan, [m, b], o.vip);
    const describe = async () => {
      const status = async (d: Daemon) => (d.kind === 'keepalived' ? '(keepalived: see its log)' : JSON.stringify((await vigilStatus(lan, d).catch(() => undefined))?.instances.map((i) => i.state)));
      return `holders ${JSON.stringify(await who())}; states m ${await status(dm)} b ${await status(db)}\n--- m:\n${dm.log().slice(-2500)}\n--- b:\n${db.log().slice(-2500)}`;
    };
    const pair: Pair = {
      lan,
      m,
      b,
      dm,
      db,
      vip: o.vip,
      holders: who,
      heldBy: async (host, timeoutMs = 10_000) => {
        await eventually(async () => JSON.stringify(await who()) === JSON.stringify([host]), timeoutMs, describe, 100);
      },
      assertRunning: () => {
        for (const d of [dm, db]) assert.ok(d.proc.exitCode === null && d.proc.signalCode === null, `vigil on ${d.host.name} exited:\n${d.log().slice(-2000)}`);
      },
      describe,
    };
    await pair.heldBy(o.settled ?? 'm', 15_000);
    await body(pair);
  } finally {
    await stopDaemons(lan, daemons);
  }
}

/**
 * The master's link down: vigil goes FAULT (and says so), the backup takes over; link up: the master preempts back
 * (its priority is the higher). The case of both the vigil pair and the vigil/keepalived pair.
 */
export async function linkDownAndBack(p: Pair): Promise<void> {
  await p.lan.exec(p.m.ns, ['ip', 'link', 'set', 'eth0', 'down']);
  await p.heldBy('b');
  await eventually(async () => (await vigilStatus(p.lan, p.dm)).instances[0]!.state === 'FAULT', 5000, p.describe, 100);
  assert.match(p.dm.log(), /\(VI_1\) Entering FAULT STATE/);
  await p.lan.exec(p.m.ns, ['ip', 'link', 'set', 'eth0', 'up']);
  await p.heldBy('m', 15_000);
  p.assertRunning();
}

/** How many times `re` (global) matches `text`. */
export const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

/**
 * `times` SIGHUPs of the master, alternating its good file and a broken one (VRID 300, refused at its line), each
 * waited for until the master logs it applied or rejected (a storm of them coalesces, which another test covers).
 */
export async function alternateReloads(p: Pair, o: PairOptions, times: number): Promise<void> {
  const good = pairConfig(o, 'm');
  const broken = good.replace(`virtual_router_id ${o.vrid}`, 'virtual_router_id 300');
  for (let i = 0; i < times; i++) {
    const bad = i % 2 === 1;
    const done = bad ? /reload rejected/g : /reloaded: kept/g;
    const before = count(p.dm.log(), done);
    writeFileSync(p.dm.conf, bad ? broken : good);
    p.dm.proc.kill('SIGHUP');
    await eventually(async () => count(p.dm.log(), done) > before, 10_000, p.describe, 20);
  }
}
