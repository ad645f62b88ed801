/**
 * SNMP sets (issue 16), keepalived 2.2.7 and vigil side by side: on each of two LANs, host `a` (with its own snmpd)
 * runs two backup instances against host `b`'s masters (priority 150), the same daemon on both hosts. snmpset on
 * `a`, the same requests to both daemons:
 * - vrrpInstanceBasePriority 200 on VI_1: `a` preempts `b` and the walk shows it master with 200 as base and
 *   effective priority;
 * - vrrpInstancePreempt false on VI_3 (VRRPv3), then its priority 200: `a` stays backup (nopreempt); preempt true
 *   again: it becomes master;
 * - refusals, with the same error on both: priority 0 (wrongValue), a string (wrongType), preempt 3 (wrongValue),
 *   vrrpInstanceAccept of the v3 instance (noAccess) and of the v2 one, vrrpInstancePromoteSecondaries
 *   (notWritable), a row that does not exist;
 * - a reload (SIGHUP) puts the configured priority and preemption back.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns, type Lan } from '../netns/harness.js';
import { eventually, startDaemon, type Daemon } from '../daemon/daemons.js';
import { snmpSet, snmpWalk, startSnmpd } from './snmp-peers.js';
import { block, commandsAvailable, sideBySide, vrrpInstance, type DaemonKind } from './daemon-sites.js';

const INSTANCES = '.1.3.6.1.4.1.9586.100.5.2.3.1';
const col = (c: number, instance: number): string => `${INSTANCES}.${c}.${instance}`;
const STATE = 4;
const BASE_PRIORITY = 7;
const EFFECTIVE_PRIORITY = 8;
const PREEMPT = 13;
const ACCEPT = 27;
const PROMOTE_SECONDARIES = 28;

function config(priority: number, snmp: string | undefined): string {
  const global = snmp === undefined ? '' : block('global_defs', ['router_id a', 'enable_snmp_vrrp', `snmp_socket unix:${snmp}`]);
  return (
    global +
    vrrpInstance('VI_1', { state: 'BACKUP', vrid: 61, priority, lines: ['advert_int 1'], vips: ['192.168.77.110/24'] }) +
    vrrpInstance('VI_3', { state: 'BACKUP', vrid: 62, priority, lines: ['version 3', 'advert_int 1'], vips: ['192.168.77.111/24'] })
  );
}

interface Site {
  readonly kind: DaemonKind;
  readonly daemons: readonly Daemon[];
  readonly walk: () => Promise<Map<string, string>>;
  readonly set: (oid: string, type: string, value: string) => Promise<string>;
  /** Whether host b holds a virtual address (it is master of that instance). */
  readonly bHolds: (address: string) => Promise<boolean>;
}

async function setUp(lan: Lan, kind: DaemonKind): Promise<Omit<Site, 'kind'>> {
  const [a, b] = [lan.host('a'), lan.host('b')];
  const snmp = await startSnmpd(lan, a, mkdtempSync(join(tmpdir(), `snmpset-${kind}-`)));
  const daemons = [startDaemon(lan, b, kind, config(150, undefined)), startDaemon(lan, a, kind, config(100, snmp.agentxSocket))];
  return {
    daemons,
    walk: () => snmpWalk(lan, a, INSTANCES),
    set: (oid, type, value) => snmpSet(lan, a, oid, type, value),
    bHolds: async (address) => (await lan.exec(b.ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(`${address}/`),
  };
}

async function until(s: Site, what: string, check: (walk: Map<string, string>) => boolean | Promise<boolean>): Promise<Map<string, string>> {
  let last = new Map<string, string>();
  await eventually(
    async () => {
      last = await s.walk().catch(() => new Map<string, string>());
      return check(last);
    },
    30_000,
    () => `${s.kind}: ${what}: ${JSON.stringify([...last.entries()].filter(([o]) => /\.(4|7|8|13)\.\d+$/.test(o)))}\n${s.daemons.map((d) => d.log().slice(-2000)).join('\n')}`,
    250,
  );
  return last;
}

test('SNMP sets of vrrpInstanceBasePriority and vrrpInstancePreempt act as on keepalived 2.2.7; the rest are refused alike', { timeout: 300_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('keepalived', 'snmpd', 'snmpwalk', 'snmpset'))) return;
  await sideBySide({ name: 'snmps', hosts: ['a', 'b'], v4Start: 10 }, setUp, async (sites) => {
    const results = await Promise.all(
      sites.map(async (s) => {
        // b is master of both, a backup of both.
        await until(s, 'a backup, b master', async (w) => w.get(col(STATE, 1)) === 'INTEGER: 1' && w.get(col(STATE, 2)) === 'INTEGER: 1' && (await s.bHolds('192.168.77.110')) && (await s.bHolds('192.168.77.111')));
        const refusals = [
          await s.set(col(BASE_PRIORITY, 1), 'i', '0'),
          await s.set(col(BASE_PRIORITY, 1), 's', 'x'),
          await s.set(col(PREEMPT, 1), 'i', '3'),
          await s.set(col(ACCEPT, 2), 'i', '1'),
          await s.set(col(ACCEPT, 1), 'i', '1'),
          await s.set(col(PROMOTE_SECONDARIES, 1), 'i', '1'),
          // No third instance.
          await s.set(col(BASE_PRIORITY, 3), 'i', '50'),
        ];
        const raised = await s.set(col(BASE_PRIORITY, 1), 'i', '200');
        const w1 = await until(s, 'VI_1 master at 200', (w) => w.get(col(STATE, 1)) === 'INTEGER: 2');
        await eventually(async () => !(await s.bHolds('192.168.77.110')), 30_000, () => `${s.kind}: b still holds VI_1's address`, 250);
        // nopreempt, then a higher priority: VI_3 stays backup through several Master_Down_Intervals.
        const noPreempt = await s.set(col(PREEMPT, 2), 'i', '2');
        const raised3 = await s.set(col(BASE_PRIORITY, 2), 'i', '200');
        await delay(8000);
        const w2 = await s.walk();
        const preempt = await s.set(col(PREEMPT, 2), 'i', '1');
        const w3 = await until(s, 'VI_3 master once preempting', (w) => w.get(col(STATE, 2)) === 'INTEGER: 2');
        // A reload takes priority and preemption from the file again (keepalived builds its instances anew).
        await s.set(col(PREEMPT, 2), 'i', '2');
        s.daemons[1]!.kill('SIGHUP');
        await until(s, 'the configured priority and preemption back after a reload', (w) => w.get(col(BASE_PRIORITY, 1)) === 'INTEGER: 100' && w.get(col(PREEMPT, 2)) === 'INTEGER: 1' && w.get(col(BASE_PRIORITY, 2)) === 'INTEGER: 100');
        return { refusals, raised, w1, noPreempt, raised3, w2, preempt, w3 };
      }),
    );
    const [k, v] = results;
    // The same answers to the same sets (the error texts name the failed object).
    assert.deepEqual(v!.refusals, k!.refusals, `keepalived:\n${k!.refusals.join('\n')}\nvigil:\n${v!.refusals.join('\n')}`);
    assert.match(k!.refusals[0]!, /wrongValue/);
    assert.match(k!.refusals[1]!, /wrongType/);
    assert.match(k!.refusals[3]!, /noAccess/);
    assert.match(k!.refusals[5]!, /notWritable/);
    for (const r of [k!, v!]) {
      assert.match(r.raised, /INTEGER: 200/);
      assert.equal(r.w1.get(col(BASE_PRIORITY, 1)), 'INTEGER: 200');
      assert.equal(r.w1.get(col(EFFECTIVE_PRIORITY, 1)), 'INTEGER: 200');
      assert.match(r.noPreempt, /INTEGER: 2/);
      assert.equal(r.w2.get(col(PREEMPT, 2)), 'INTEGER: 2');
      assert.equal(r.w2.get(col(BASE_PRIORITY, 2)), 'INTEGER: 200');
      assert.equal(r.w2.get(col(STATE, 2)), 'INTEGER: 1', 'nopreempt: still backup');
      assert.equal(r.w3.get(col(PREEMPT, 2)), 'INTEGER: 1');
    }
    assert.deepEqual([v!.raised, v!.noPreempt, v!.raised3, v!.preempt], [k!.raised, k!.noPreempt, k!.raised3, k!.preempt]);
  });
});
