/**
 * KEEPALIVED-MIB's check subtree (enable_snmp_checker) without snmpd: every object served is one the MIB file
 * (/usr/share/snmp/mibs/KEEPALIVED-MIB.txt, Debian's keepalived) defines, with its type and the number of index
 * parts of its table; the rows and values follow check_snmp.c (sorry server first, fwmark group entries before
 * addresses, objects left out where keepalived leaves them out, snmp_name); the checker's notifications from the
 * bus's real-server and quorum changes (check-traps.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Bus } from '../../actors/bus.js';
import type { DaemonStatus, VirtualServerStatus } from '../../actors/status.js';
import { loadConfigText } from '../../config/load.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibView } from '../../protocol/snmp-view.js';
import type { AgentxSubagentOptions } from '../../transport/agentx-subagent.js';
import { testSnmpService } from './snmp-service-fixture.js';

const MIB_FILE = '/usr/share/snmp/mibs/KEEPALIVED-MIB.txt';
const KEEPALIVED = [1, 3, 6, 1, 4, 1, 9586, 100, 5];
const CHECK = [...KEEPALIVED, 3];

const CONFIG = `global_defs {
  enable_snmp_checker
  enable_traps
  router_id r1
  lvs_timeouts tcp 900 udp 60
}
virtual_server_group G1 {
  192.168.77.50 80
  192.168.77.60-62 80
  fwmark 7
}
virtual_server 192.168.77.10 80 {
  delay_loop 2
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  quorum 2
  snmp_name web
  sorry_server 192.168.77.99 8080
  real_server 192.168.77.21 8080 {
    weight 3
    snmp_name backend-1
    notify_down "/bin/echo down"
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 192.168.77.22 8080 {
    weight 2
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
virtual_server group G1 {
  lb_algo rr
  lb_kind DR
  real_server 192.168.77.31 80 {
    TCP_CHECK {
    }
  }
}
virtual_server fwmark 9 {
  lb_kind TUN
  real_server 192.168.77.41 80 {
    TCP_CHECK {
    }
  }
}
`;

/** The MIB file's objects: OID, SYNTAX, and the index count of its table (0: a scalar). */
interface MibObject {
  readonly name: string;
  readonly syntax: string;
  readonly indexes: number;
}

function readMib(): Map<string, MibObject> {
  const text = readFileSync(MIB_FILE, 'utf8').replace(/--[^\n]*/g, '');
  const parents = new Map<string, { parent: string; n: number }>();
  const syntax = new Map<string, string>();
  const index = new Map<string, number>();
  for (const m of text.matchAll(/(\w+)\s+(?:OBJECT IDENTIFIER|MODULE-IDENTITY|OBJECT-TYPE|NOTIFICATION-TYPE)([\s\S]*?)::=\s*\{\s*(\w+)\s+(\d+)\s*\}/g)) {
    const [, name, body, parent, n] = m as unknown as [string, string, string, string, string];
    parents.set(name, { parent, n: Number(n) });
    const s = /SYNTAX\s+([\w ]+?)(?:\s*\{[^}]*\})?\s*(?:\([^)]*\))?\s*(?:UNITS\s+"[^"]*"\s*)?(?:MAX-)?ACCESS/.exec(body);
    if (s && !/^(SEQUENCE|[A-Z]\w*Entry$)/.test(s[1]!.trim())) syntax.set(name, s[1]!.trim());
    const ix = /INDEX\s*\{([^}]*)\}/.exec(body);
    if (ix) index.set(name, ix[1]!.split(',').length);
  }
  const oidOf = (name: string): number[] | undefined => {
    if (name === 'keepalived') return KEEPALIVED;
    const p = parents.get(name);
    if (!p) return undefined;
    const up = oidOf(p.parent);
    return up && [...up, p.n];
  };
  const out = new Map<string, MibObject>();
  for (const [name, s] of syntax) {
    const oid = oidOf(name);
    const entry = parents.get(name)?.parent;
    if (oid) out.set(oid.join('.'), { name, syntax: s, indexes: entry !== undefined ? (index.get(entry) ?? 0) : 0 });
  }
  return out;
}

/** The AgentX type of a MIB syntax. */
function typeOf(syntax: string): number {
  if (/^(Integer32|INTEGER|TruthValue|InetAddressType|VrrpState|InetScopeType)$/.test(syntax)) return VarType.Integer;
  if (/^(Unsigned32|Gauge32|InetPortNumber|InetAddressPrefixLength)$/.test(syntax)) return VarType.Gauge32;
  if (syntax === 'Counter32') return VarType.Counter32;
  if (syntax === 'Counter64') return VarType.Counter64;
  if (/^(OCTET STRING|DisplayString|InetAddress)$/.test(syntax)) return VarType.OctetString;
  throw new Error(`syntax ${syntax}`);
}

/** A daemon's status with only virtual servers. */
const checkerStatus = (virtualServers: VirtualServerStatus[]): DaemonStatus => ({ pid: 1, config_file: 'keepalived.conf', reloads: 0, instances: [], scripts: [], virtual_servers: virtualServers, drops: {} });

function start(statuses: VirtualServerStatus[]) {
  const { config } = loadConfigText(CONFIG, 'keepalived.conf');
  const bus = new Bus();
  let options: AgentxSubagentOptions | undefined;
  const status = (): DaemonStatus => checkerStatus(statuses);
  const service = testSnmpService({
    config: () => config,
    status,
    messages$: bus.messages$,
    subagent: (o) => {
      options = o;
      return { start: () => {}, stop: () => {}, notify: () => true };
    },
  });
  service.apply();
  const view = (): MibView => options!.view();
  const value = (oid: Oid): unknown => {
    const v = view().get(oid);
    return 'value' in v ? (v.value instanceof Uint8Array ? Buffer.from(v.value).toString('latin1') : v.value) : v.type;
  };
  return { view, value, service, options: () => options! };
}

const STATUSES: VirtualServerStatus[] = [
  {
    key: '192.168.77.10:80',
    quorum_up: true,
    real_servers: [
      { key: '192.168.77.21:8080', alive: true, weight: 3, failed_checks: 0 },
      { key: '192.168.77.22:8080', alive: false, weight: 2, failed_checks: 1 },
    ],
    pool: [],
  },
  { key: 'group G1', quorum_up: true, real_servers: [{ key: '192.168.77.31:80', alive: true, weight: 1 }], pool: [] },
  { key: 'FWM 9', quorum_up: false, real_servers: [{ key: '192.168.77.41:80', alive: false, weight: 1 }], pool: [] },
];

test('every object of the check subtree is defined by KEEPALIVED-MIB with that type and index length', { skip: existsSync(MIB_FILE) ? false : `${MIB_FILE} is not installed` }, () => {
  const mib = readMib();
  const s = start(STATUSES);
  assert.deepEqual(s.options().subtrees, [[...KEEPALIVED, 1], CHECK]);
  const served = s.view().all().filter((v) => CHECK.every((x, i) => v.oid[i] === x));
  assert.ok(served.length > 300, `${served.length} objects`);
  for (const v of served) {
    let found: { obj: MibObject; rest: number } | undefined;
    for (let n = v.oid.length - 1; n > CHECK.length && !found; n--) {
      const obj = mib.get(v.oid.slice(0, n).join('.'));
      if (obj) found = { obj, rest: v.oid.length - n };
    }
    assert.ok(found, `${v.oid.join('.')} is not in the MIB`);
    const { obj, rest } = found;
    assert.equal(v.type, typeOf(obj.syntax), `${obj.name}: ${obj.syntax}`);
    if (obj.indexes === 0) assert.deepEqual(v.oid.slice(-rest), [0], `${obj.name} is a scalar`);
    else assert.equal(rest, obj.indexes, `${obj.name}'s index`);
  }
  s.service.stop();
});

test('rows and values as check_snmp.c gives them', () => {
  const s = start(STATUSES);
  const vs = (col: number, i: number): Oid => [...CHECK, 3, 1, col, i];
  const rs = (col: number, v: number, r: number): Oid => [...CHECK, 4, 1, col, v, r];
  // Left out: no such instance (or no such object, when no row has the column).
  const NOSUCH = 'absent';
  const value = (oid: Oid): unknown => {
    const v = s.value(oid);
    return v === VarType.NoSuchInstance || v === VarType.NoSuchObject ? NOSUCH : v;
  };
  // virtualServerGroupTable and its members: fwmark first, then the address and the range.
  assert.equal(value([...CHECK, 1, 1, 2, 1]), 'G1');
  assert.equal(value([...CHECK, 2, 1, 2, 1, 1]), 1);
  assert.equal(value([...CHECK, 2, 1, 3, 1, 1]), 7);
  assert.equal(value([...CHECK, 2, 1, 2, 1, 2]), 2);
  assert.equal(value([...CHECK, 2, 1, 5, 1, 2]), '\xc0\xa8\x4d\x32');
  assert.equal(value([...CHECK, 2, 1, 2, 1, 3]), 3);
  assert.equal(value([...CHECK, 2, 1, 7, 1, 3]), '\xc0\xa8\x4d\x3e');
  assert.equal(value([...CHECK, 2, 1, 5, 1, 3]), NOSUCH, 'a range has no single address');
  // virtualServerTable: type, algorithm, kind, quorum, snmp_name; a fwmark service has no protocol.
  assert.deepEqual([1, 2, 3].map((i) => value(vs(2, i))), [2, 3, 1]);
  assert.equal(value(vs(3, 2)), 'G1');
  assert.equal(value(vs(9, 1)), 2, 'wrr');
  assert.deepEqual([1, 2, 3].map((i) => value(vs(10, i))), [1, 2, 3]);
  assert.equal(value(vs(8, 3)), NOSUCH);
  assert.equal(value(vs(16, 1)), 2);
  assert.equal(value(vs(64, 1)), 2_000_000);
  assert.equal(value(vs(20, 1)), 2, 'realTotal counts the real servers, not the sorry server');
  assert.equal(value(vs(21, 1)), 1);
  assert.equal(value(vs(22, 1)), 2);
  assert.equal(value(vs(23, 3)), 2, 'quorum down');
  assert.equal(value(vs(71, 1)), 'web');
  assert.equal(value(vs(71, 2)), NOSUCH);
  assert.equal(value(vs(68, 3)), 1, 'TUN: ipip');
  // realServerTable: the sorry server is row 1, without status or weight.
  assert.equal(value(rs(2, 1, 1)), 2);
  assert.equal(value(rs(5, 1, 1)), 8080);
  assert.equal(value(rs(6, 1, 1)), NOSUCH);
  assert.equal(value(rs(7, 1, 1)), NOSUCH);
  assert.equal(value(rs(2, 1, 2)), 1);
  assert.equal(value(rs(6, 1, 2)), 1);
  assert.equal(value(rs(7, 1, 2)), 3);
  assert.equal(value(rs(6, 1, 3)), 2, 'down');
  assert.equal(value(rs(13, 1, 3)), 1, 'one failed checker');
  assert.equal(value(rs(12, 1, 2)), "'/bin/echo' 'down'");
  assert.equal(value(rs(55, 1, 2)), 'backend-1');
  assert.equal(value(rs(47, 1, 2)), 1, "a real server's smtp_alert defaults to on");
  assert.equal(value(rs(61, 1, 2)), NOSUCH);
  // lvsTimeouts: the configured ones only.
  assert.equal(value([...CHECK, 7, 1, 0]), 900);
  assert.equal(value([...CHECK, 7, 2, 0]), NOSUCH);
  s.service.stop();
});

test('realServerStateChange and virtualServerQuorumStateChange from the checker side\'s changes, with check_snmp.c\'s varbinds', () => {
  const { config } = loadConfigText(CONFIG, 'keepalived.conf');
  const bus = new Bus();
  const sent: string[] = [];
  let traps = true;
  const service = testSnmpService({
    config: () => ({ ...config, globalDefs: { ...config.globalDefs, enableTraps: traps } }),
    status: () => checkerStatus(STATUSES),
    messages$: bus.messages$,
    subagent: () => ({
      start: () => {},
      stop: () => {},
      notify: (oid, varbinds) => {
        const text = (v: VarBind): string => ('value' in v ? (v.value instanceof Uint8Array ? Buffer.from(v.value).toString('hex') : String(v.value)) : '');
        sent.push([oid.slice(CHECK.length).join('.'), ...varbinds.map((v) => `${v.oid.slice(KEEPALIVED.length).join('.')}=${v.type}:${text(v)}`)].join(' '));
        return true;
      },
    }),
  });
  const at = 0;
  const node = 'h';
  // Before the subagent starts (the daemon's first changes): sent once it runs.
  bus.publish({ kind: 'real_server', at, node, vs: '192.168.77.10:80', rs: '192.168.77.22:8080', state: 'DOWN', stopping: false, realServersUp: 1 });
  assert.deepEqual(sent, []);
  service.apply();
  const [I, G, S] = [VarType.Integer, VarType.Gauge32, VarType.OctetString];
  const routerId = `1.2.0=${S}:${Buffer.from('r1').toString('hex')}`;
  assert.deepEqual(sent, [
    `5.0.1 3.4.1.3=${I}:1 3.4.1.4=${S}:c0a84d16 3.4.1.5=${G}:8080 3.4.1.6=${I}:2 3.3.1.2=${I}:2 3.3.1.5=${I}:1 3.3.1.6=${S}:c0a84d0a 3.3.1.7=${G}:80 3.3.1.8=${I}:1 3.3.1.21=${G}:1 3.3.1.20=${G}:2 ${routerId}`,
  ]);
  // A group's service is named by its group, a fwmark's by its mark; the quorum: met 1, notMet 2, shutdown 3.
  bus.publish({ kind: 'quorum', at, node, vs: 'group G1', state: 'UP', stopping: false, realServersUp: 1 });
  bus.publish({ kind: 'quorum', at, node, vs: 'FWM 9', state: 'DOWN', stopping: false, realServersUp: 0 });
  bus.publish({ kind: 'quorum', at, node, vs: '192.168.77.10:80', state: 'DOWN', stopping: true, realServersUp: 0 });
  assert.deepEqual(sent.slice(1), [
    // The group's service has no protocol line: UDP, as keepalived 2.2 takes it (udp(2)).
    `5.0.2 3.3.1.2=${I}:3 3.3.1.3=${S}:${Buffer.from('G1').toString('hex')} 3.3.1.8=${I}:2 3.3.1.23=${I}:1 3.3.1.22=${G}:1 3.3.1.21=${G}:1 3.3.1.20=${G}:1 ${routerId}`,
    `5.0.2 3.3.1.2=${I}:1 3.3.1.4=${G}:9 3.3.1.8=${I}:1 3.3.1.23=${I}:2 3.3.1.22=${G}:1 3.3.1.21=${G}:0 3.3.1.20=${G}:1 ${routerId}`,
    `5.0.2 3.3.1.2=${I}:2 3.3.1.5=${I}:1 3.3.1.6=${S}:c0a84d0a 3.3.1.7=${G}:80 3.3.1.8=${I}:1 3.3.1.23=${I}:3 3.3.1.22=${G}:2 3.3.1.21=${G}:0 3.3.1.20=${G}:2 ${routerId}`,
  ]);
  // A real server the configuration does not have, and enable_traps off: nothing.
  bus.publish({ kind: 'real_server', at, node, vs: '192.168.77.10:80', rs: '192.168.77.23:8080', state: 'UP', stopping: false, realServersUp: 2 });
  traps = false;
  bus.publish({ kind: 'real_server', at, node, vs: '192.168.77.10:80', rs: '192.168.77.22:8080', state: 'UP', stopping: false, realServersUp: 2 });
  assert.equal(sent.length, 4);
  service.stop();
});
