/**
 * vrrpv3ProtoError (RFC 6527) against keepalived 2.2.7: on each of two LANs, host `a` (with its own snmpd and
 * snmptrapd, enable_snmp_rfcv3, enable_traps) runs a VRRPv2 instance and host `b` a VRRPv3 one with the same VRID,
 * the same daemon on both. Every advertisement `a` hears is of the wrong version: both daemons must notify
 * vrrpv3ProtoError with versionError(2) for the instance's row, and keep that reason in
 * vrrpv3StatisticsProtoErrReason. Counts differ with timing and are only required to be above zero.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNetns, type Lan } from '../netns/harness.js';
import { eventually, startDaemon, type Daemon } from '../daemon/daemons.js';
import { snmpWalk, startSnmpd, trapsLogged, type SnmpSite } from './snmp-peers.js';
import { block, commandsAvailable, sideBySide, vrrpInstance, type DaemonKind } from './daemon-sites.js';

const VRRPV3_MIB = '.1.3.6.1.2.1.207';

function config(version: 2 | 3, priority: number, snmp: string | undefined): string {
  const global = snmp === undefined ? '' : block('global_defs', ['router_id a', 'enable_traps', 'enable_snmp_rfcv3', `snmp_socket unix:${snmp}`]);
  return global + vrrpInstance('VI_1', { state: 'BACKUP', vrid: 71, priority, lines: [`version ${version}`, 'advert_int 1'], vips: ['192.168.77.120/24'] });
}

interface Site {
  readonly snmp: SnmpSite;
  readonly daemons: readonly Daemon[];
  readonly walk: () => Promise<Map<string, string>>;
  readonly ifIndex: () => Promise<number>;
}

async function setUp(lan: Lan, kind: DaemonKind): Promise<Site> {
  const [a, b] = [lan.host('a'), lan.host('b')];
  const snmp = await startSnmpd(lan, a, mkdtempSync(join(tmpdir(), `snmpproto-${kind}-`)));
  const daemons = [startDaemon(lan, b, kind, config(3, 150, undefined)), startDaemon(lan, a, kind, config(2, 100, snmp.agentxSocket))];
  const ifIndex = async () => Number(/^(\d+):/.exec((await lan.exec(a.ns, ['ip', '-o', 'link', 'show', 'dev', 'eth0'])).stdout)?.[1]);
  return { snmp, daemons, walk: () => snmpWalk(lan, a, VRRPV3_MIB), ifIndex };
}

test('a VRRPv2 instance hearing VRRPv3 advertisements: vrrpv3ProtoError versionError, as keepalived 2.2.7 tells it', { timeout: 240_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('keepalived', 'snmpd', 'snmpwalk', 'snmptrapd'))) return;
  await sideBySide({ name: 'snmpp', hosts: ['a', 'b'], v4Start: 10 }, setUp, async (sites) => {
    const seen = await Promise.all(
      sites.map(async (s) => {
        const row = `${await s.ifIndex()}.71.1`;
        const protoTraps = () => trapsLogged(s.snmp, `${VRRPV3_MIB}.0.2`);
        await eventually(
          async () => protoTraps().length >= 2,
          30_000,
          async () => `${s.kind}: ${protoTraps().join('\n')}\n${s.daemons.map((d) => d.log().slice(-2000)).join('\n')}`,
          250,
        );
        const w = await s.walk();
        return { row, trap: protoTraps()[0]!, reason: w.get(`${VRRPV3_MIB}.1.2.5.1.6.${row}`), versionErrors: w.get(`${VRRPV3_MIB}.1.2.2.0`) };
      }),
    );
    for (const s of seen) {
      assert.equal(s.trap, `.1.3.6.1.6.3.1.1.4.1.0 = OID: ${VRRPV3_MIB}.0.2 | ${VRRPV3_MIB}.1.2.5.1.6.${s.row} = INTEGER: 2`);
      assert.equal(s.reason, 'INTEGER: 2', 'versionError');
      assert.match(s.versionErrors ?? '', /^Counter64: [1-9]/);
    }
  });
});
