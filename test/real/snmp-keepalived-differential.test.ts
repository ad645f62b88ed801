/**
 * SNMP (issue 16): keepalived 2.2.7 and vigil, each alone on a LAN of its own with the same configuration, each the
 * AgentX subagent of its own snmpd. Once every instance is master, a walk of KEEPALIVED-MIB must give the same
 * OIDs, types and values on both, and snmptrapd must have received the same notifications (the sync group's
 * BACKUP at start among them).
 * Two differences are expected and asserted as such: `version` names the daemon, and keepalived 2.2.7 reports
 * every address of the instances after the first as not advertised (vrrpAddressAdvertising: its table walk sets the
 * flag for the first instance only), where vigil reports what is true.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns, type Lan } from '../netns/harness.js';
import { eventually, startDaemon, type Daemon } from '../daemon/daemons.js';
import { snmpWalk, startSnmpd, trapsLogged, type SnmpSite } from './snmp-peers.js';
import { block, commandsAvailable, sideBySide, vrrpInstance, type DaemonKind } from './daemon-sites.js';
import { ipToBytes } from '../../protocol/ip-bytes.js';

const KEEPALIVED_MIB = '.1.3.6.1.4.1.9586.100.5';
const STATE_COLUMN = `${KEEPALIVED_MIB}.2.3.1.4.`;
const ADVERTISED_COLUMN = `${KEEPALIVED_MIB}.2.6.1.11.`;
const VRRP_MIB = '.1.3.6.1.2.1.68';
const VRRPV3_MIB = '.1.3.6.1.2.1.207';

function config(agentx: string, self: string): string {
  return [
    block('global_defs', [
      'router_id snmptest',
      'enable_snmp_vrrp',
      'enable_traps',
      'enable_snmp_rfcv2',
      'enable_snmp_rfcv3',
      `snmp_socket unix:${agentx}`,
      'smtp_server 192.168.77.250 2525',
      'smtp_connect_timeout 17',
      'notification_email_from vigil@example.com',
      block('notification_email', ['ops@example.com', 'noc@example.com']),
      'vrrp_garp_master_delay 3',
    ]),
    block('static_ipaddress', ['192.168.77.250/24 dev eth0 label eth0:s']),
    block('vrrp_sync_group G1', [block('group', ['VI_1', 'VI_2']), 'notify_master "/bin/true master"', 'notify "/bin/true"']),
    vrrpInstance('VI_1', {
      state: 'MASTER',
      vrid: 51,
      priority: 150,
      lines: ['advert_int 1', block('authentication', ['auth_type PASS', 'auth_pass secret'])],
      vips: ['192.168.77.100/24', '192.168.77.101/32 brd 192.168.77.255 label eth0:1'],
      after: [block('virtual_ipaddress_excluded', ['192.168.77.200/24']), block('track_interface', ['eth0']), 'notify_master "/bin/true m"', 'notify_backup "/bin/true b"'],
    }),
    vrrpInstance('VI_2', { state: 'BACKUP', vrid: 52, priority: 100, lines: ['version 3', 'advert_int 0.5', 'accept', 'nopreempt', 'mcast_dst_ip 224.0.0.19'], vips: ['192.168.77.102/24'] }),
    vrrpInstance('VI_6', { state: 'BACKUP', vrid: 53, priority: 90, lines: ['version 3'], vips: ['fd77::100/64'] }),
    vrrpInstance('VI_U', { state: 'BACKUP', vrid: 54, priority: 80, lines: [`unicast_src_ip ${self}`, block('unicast_peer', ['192.168.77.9']), 'preempt_delay 4'], vips: ['192.168.77.104/24'] }),
  ].join('');
}

interface Site {
  readonly snmp: SnmpSite;
  readonly daemon: Daemon;
  readonly walk: () => Promise<Map<string, string>>;
  readonly walkRfc2787: () => Promise<Map<string, string>>;
  readonly walkRfc6527: () => Promise<Map<string, string>>;
  readonly mac: string;
  /** The interface's IPv6 link-local address, as snmpwalk prints an OCTET STRING of its 16 bytes. */
  readonly linkLocalText: () => Promise<string>;
}

async function setUp(lan: Lan, kind: DaemonKind): Promise<Site> {
  const host = lan.host('h');
  const snmp = await startSnmpd(lan, host, mkdtempSync(join(tmpdir(), `snmp-${kind}-`)));
  const daemon = startDaemon(lan, host, kind, config(snmp.agentxSocket, host.ipv4));
  const linkLocalText = async (): Promise<string> => {
    const { stdout } = await lan.exec(host.ns, ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    const address = /inet6 ([0-9a-f:]+)\//.exec(stdout)?.[1] ?? '';
    return hexText(ipToBytes(address));
  };
  return {
    snmp,
    daemon,
    walk: () => snmpWalk(lan, host, KEEPALIVED_MIB),
    walkRfc2787: () => snmpWalk(lan, host, VRRP_MIB),
    walkRfc6527: () => snmpWalk(lan, host, VRRPV3_MIB),
    mac: host.mac,
    linkLocalText,
  };
}

/** snmpwalk -OX's text of an OCTET STRING of non-printable bytes. */
function hexText(bytes: Uint8Array): string {
  return `Hex-STRING: ${[...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')} `;
}

test('KEEPALIVED-MIB over AgentX: vigil serves and notifies what keepalived 2.2.7 does for the same configuration', { timeout: 240_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('keepalived', 'snmpd', 'snmpwalk', 'snmptrapd'))) return;
  await sideBySide({ name: 'snmp', hosts: ['h'], v4Start: 10 }, setUp, async (sites) => {
    const [k, v] = sites;
    const describe = async (s: Site) => `${s.daemon.kind}: ${JSON.stringify([...(await s.walk().catch(() => new Map())).entries()].filter(([o]) => o.startsWith(STATE_COLUMN)))}\n${s.daemon.log().slice(-3000)}`;
    // Every instance master (VrrpState master(2)) on both.
    for (const s of sites) {
      await eventually(
        async () => {
          const w = await s.walk().catch(() => new Map<string, string>());
          const states = [...w.entries()].filter(([o]) => o.startsWith(STATE_COLUMN)).map(([, val]) => val);
          return states.length === 4 && states.every((x) => x === 'INTEGER: 2');
        },
        30_000,
        () => describe(s),
        250,
      );
    }
    // The master traps have gone out by now; a second for snmptrapd to log them.
    await delay(1000);
    const [kw, vw] = await Promise.all([k.walk(), v.walk()]);
    assert.ok(kw.size > 150, `keepalived served ${kw.size} objects`);
    assert.deepEqual([...vw.keys()], [...kw.keys()], 'the same OIDs, in the same order');
    const version = `${KEEPALIVED_MIB}.1.1.0`;
    assert.match(kw.get(version)!, /^STRING: "Keepalived v2\.2\.7/);
    assert.match(vw.get(version)!, /^STRING: "vigil v/);
    for (const [oid, kval] of kw) {
      if (oid === version) continue;
      const vval = vw.get(oid);
      // keepalived 2.2.7's vrrpAddressAdvertising after the first instance (index 0 is static_ipaddress: not
      // advertised on both).
      const row = oid.startsWith(ADVERTISED_COLUMN) ? Number(oid.slice(ADVERTISED_COLUMN.length).split('.')[0]) : 0;
      if (row >= 2) {
        assert.equal(kval, 'INTEGER: 2', oid);
        assert.equal(vval, 'INTEGER: 1', `${oid}: a virtual address is advertised`);
        continue;
      }
      assert.equal(vval, kval, oid);
    }
    // VRRP-MIB (RFC 2787): the VRRPv2 IPv4 instances VI_1 (VRID 51) and VI_U (54). keepalived's vrrpOperTable and
    // vrrpRouterStatsTable walks stop after their first row (see observe/snmp/vrrp-mib.ts): vigil serves VI_U's
    // rows too, asserted below. vrrpOperVirtualMacAddr is each host's own interface MAC; times differ.
    const [kr, vr] = await Promise.all([k.walkRfc2787(), v.walkRfc2787()]);
    assert.ok(kr.size > 20, `keepalived served ${kr.size} VRRP-MIB objects`);
    const macText = (mac: string) => `Hex-STRING: ${mac.toUpperCase().split(':').join(' ')} `;
    for (const [oid, kval] of kr) {
      const vval = vr.get(oid);
      if (oid.startsWith(`${VRRP_MIB}.1.3.1.2.`)) {
        assert.equal(kval, macText(k.mac), oid);
        assert.equal(vval, macText(v.mac), oid);
      } else if (kval.startsWith('Timeticks:')) assert.match(vval ?? '', /^Timeticks: /, oid);
      else assert.equal(vval, kval, oid);
    }
    const extra = [...vr.keys()].filter((o) => !kr.has(o));
    assert.ok(extra.length > 20, extra.join('\n'));
    for (const oid of extra) assert.match(oid, /^\.1\.3\.6\.1\.2\.1\.68\.(1\.3\.1|2\.4\.1)\.\d+\.\d+\.54$/, `only VI_U's rows are vigil's own: ${oid}`);
    assert.equal(vr.get(`${VRRP_MIB}.1.3.1.5.${extra[0]!.split('.').slice(-2).join('.')}`), 'INTEGER: 80', "VI_U's priority");
    assert.deepEqual(trapsLogged(v.snmp, `${VRRP_MIB}.0.`).sort(), trapsLogged(k.snmp, `${VRRP_MIB}.0.`).sort(), 'vrrpTrapNewMaster');
    assert.equal(trapsLogged(k.snmp, `${VRRP_MIB}.0.`).length, 2, 'one vrrpTrapNewMaster for each of VI_1 and VI_U');

    // VRRPV3-MIB (RFC 6527): every instance with a virtual address, VRRPv2 ones too (Debian's keepalived is built
    // with _SNMP_REPLY_V3_FOR_V2_). Per host: the interface MAC (vrrpv3OperationsVirtualMacAddr) and the IPv6
    // link-local address (VI_6's master and primary addresses); times may differ.
    const [k3, v3] = await Promise.all([k.walkRfc6527(), v.walkRfc6527()]);
    assert.ok(k3.size > 60, `keepalived served ${k3.size} VRRPV3-MIB objects`);
    const [kLinkLocal, vLinkLocal] = await Promise.all([k.linkLocalText(), v.linkLocalText()]);
    const v3Differences: string[] = [];
    for (const [oid, kval] of k3) {
      const vval = v3.get(oid);
      if (oid.startsWith(`${VRRPV3_MIB}.1.1.1.1.5.`)) {
        assert.equal(kval, macText(k.mac), oid);
        assert.equal(vval, macText(v.mac), oid);
      } else if (kval === kLinkLocal) assert.equal(vval, vLinkLocal, `${oid}: the host's link-local address`);
      else if (kval.startsWith('Timeticks:') && !oid.startsWith(`${VRRPV3_MIB}.1.2.4.`) && !oid.startsWith(`${VRRPV3_MIB}.1.2.5.1.12.`)) assert.match(vval ?? '', /^Timeticks: /, oid);
      else if (vval !== kval) v3Differences.push(`${oid}: keepalived ${kval}, vigil ${vval}`);
    }
    assert.deepEqual(v3Differences, [], 'VRRPV3-MIB values');
    assert.deepEqual([...v3.keys()], [...k3.keys()], 'the same VRRPV3-MIB OIDs, in the same order');
    // vrrpv3NewMaster for each instance, with its reason (masterNoResponse(3): each was alone on its LAN).
    const kv3 = trapsLogged(k.snmp, `${VRRPV3_MIB}.0.`);
    assert.equal(kv3.length, 4, kv3.join('\n'));
    const linkLocalsAsOne = (x: string) => x.replace(kLinkLocal.trim(), 'LL').replace(vLinkLocal.trim(), 'LL');
    assert.deepEqual(trapsLogged(v.snmp, `${VRRPV3_MIB}.0.`).map(linkLocalsAsOne).sort(), kv3.map(linkLocalsAsOne).sort(), 'vrrpv3NewMaster');

    // The same notifications: as multisets (instances moving in the same millisecond may be told in either order),
    // and the sync group's BACKUP at start first on both.
    const [kt, vt] = [trapsLogged(k.snmp), trapsLogged(v.snmp)];
    assert.ok(kt.length >= 10, `keepalived sent ${kt.length} notifications: ${kt.join('\n')}`);
    assert.deepEqual([...vt].sort(), [...kt].sort(), `keepalived:\n${kt.join('\n')}\nvigil:\n${vt.join('\n')}`);
    // Among them the sync group's BACKUP at start (keepalived's vrrp_init_state; keepalived tells it before its
    // instances' own, vigil once they have started: the order is not compared).
    assert.ok(kt.some((x) => /9586\.100\.5\.2\.10\.0\.1 .*"G1" .* INTEGER: 1 /.test(x)), kt.join('\n'));
  });
});
