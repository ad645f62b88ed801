/**
 * VRRPV3-MIB (RFC 6527) from the daemon's bus, without snmpd (the differential test against keepalived is
 * test/real/snmp-keepalived-differential.test.ts): the master reason the VRRP machine gives on notify MASTER goes
 * into vrrpv3NewMaster and vrrpv3StatisticsNewMasterReason; a TTL, version or checksum drop is a vrrpv3ProtoError
 * and vrrpv3StatisticsProtoErrReason, as keepalived's vrrp.c tells them; other drops are neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../actors/bus.js';
import type { DaemonStatus, InstanceStatus } from '../../actors/status.js';
import { loadConfigText } from '../../config/load.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibView } from '../../protocol/snmp-view.js';
import type { AgentxSubagentOptions } from '../../transport/agentx-subagent.js';
import { instanceStatus } from '../status-fixtures.js';
import { testSnmpService } from './snmp-service-fixture.js';

const CONFIG = `global_defs {
  enable_traps
  enable_snmp_rfc
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  version 3
  virtual_ipaddress {
    192.168.77.100/24
    192.168.77.99/24
  }
}
vrrp_instance VI_N {
  interface eth0
  virtual_router_id 52
  priority 100
}
`;

const MIB = [1, 3, 6, 1, 2, 1, 207];
const INDEX = [7, 51, 1];

function start() {
  const { config } = loadConfigText(CONFIG, 'keepalived.conf');
  const bus = new Bus();
  const sent: { trapOid: Oid; varbinds: readonly VarBind[] }[] = [];
  let options: AgentxSubagentOptions | undefined;
  let state: InstanceStatus['state'] = 'BACKUP';
  const status = (): DaemonStatus => ({ pid: 1, config_file: 'keepalived.conf', reloads: 0, instances: [instanceStatus({ state })], scripts: [], virtual_servers: [], drops: {} });
  const service = testSnmpService({
    config: () => config,
    status,
    ifMac: () => new Uint8Array([2, 0, 0, 0, 0, 1]),
    primaryAddress: () => '192.168.77.10',
    messages$: bus.messages$,
    subagent: (o) => {
      options = o;
      return { start: () => {}, stop: () => {}, notify: (trapOid, varbinds) => (sent.push({ trapOid, varbinds }), true) };
    },
  });
  service.apply();
  const view = (): MibView => options!.view();
  const value = (oid: Oid): unknown => {
    const v = view().get(oid);
    return 'value' in v ? v.value : v.type;
  };
  return { bus, sent, view, value, service, setState: (s: InstanceStatus['state']) => (state = s), options: () => options! };
}

test('enable_snmp_rfc registers both RFC MIBs; only instances with a virtual address have rows', () => {
  const s = start();
  assert.deepEqual(s.options().subtrees, [[1, 3, 6, 1, 2, 1, 68], MIB]);
  const rows = s.view().all().filter((v) => v.oid.length > MIB.length + 6 && v.oid.slice(0, 7).join('.') === MIB.join('.') && v.oid[8] === 1 && v.oid[9] === 1);
  assert.ok(rows.length > 0);
  for (const r of rows) assert.equal(r.oid[MIB.length + 5 + 1], 51, `only VI_1: ${r.oid.join('.')}`);
  // vrrpv3AssociatedIpAddrRowStatus, the addresses in index order (no length octet, as keepalived).
  const assoc = s.view().all().filter((v) => v.oid.slice(0, 12).join('.') === [...MIB, 1, 1, 2, 1, 2].join('.'));
  assert.deepEqual(assoc.map((v) => v.oid.slice(-4).join('.')), ['192.168.77.99', '192.168.77.100']);
  assert.equal(s.value([...MIB, 1, 1, 1, 1, 9, ...INDEX]), 100, 'the advertisement interval in centiseconds');
  assert.equal(s.value([...MIB, 1, 2, 5, 1, 13, ...INDEX]), 1000, 'the refresh rate in milliseconds');
  s.service.stop();
});

test('notify MASTER with its reason: vrrpv3NewMaster and vrrpv3StatisticsNewMasterReason', () => {
  const s = start();
  const reasonOid = [...MIB, 1, 2, 5, 1, 2, ...INDEX];
  assert.equal(s.value(reasonOid), 0, 'notMaster before the first time');
  s.setState('MASTER');
  s.bus.publish({ kind: 'notify', at: 10, node: 'n', instance: 'VI_1', state: 'MASTER', priority: 100, masterReason: 'priority' });
  const v3 = s.sent.filter((t) => t.trapOid.join('.') === [...MIB, 0, 1].join('.'));
  assert.equal(v3.length, 1);
  assert.deepEqual(v3[0]!.varbinds, [
    { oid: [...MIB, 1, 1, 1, 1, 3, ...INDEX], type: VarType.OctetString, value: new Uint8Array([192, 168, 77, 10]) },
    { oid: reasonOid, type: VarType.Integer, value: 1 },
  ]);
  assert.equal(s.value(reasonOid), 1);
  // The reason stays after the instance leaves MASTER (keepalived's master_reason).
  s.setState('BACKUP');
  s.bus.publish({ kind: 'notify', at: 20, node: 'n', instance: 'VI_1', state: 'BACKUP', priority: 100 });
  assert.equal(s.value(reasonOid), 1);
  // PrintStatsClear zeroes it with the rest of the statistics, and the protocol error's reason too.
  s.bus.publish({ kind: 'drop', at: 21, node: 'n', instance: 'VI_1', reason: 'ttl' });
  assert.equal(s.value([...MIB, 1, 2, 5, 1, 6, ...INDEX]), 1);
  s.service.clearStats();
  assert.equal(s.value(reasonOid), 0);
  assert.equal(s.value([...MIB, 1, 2, 5, 1, 6, ...INDEX]), 0);
  s.service.stop();
});

test('a TTL, version or checksum drop is a vrrpv3ProtoError; an authentication drop is not', () => {
  const s = start();
  const errOid = [...MIB, 1, 2, 5, 1, 6, ...INDEX];
  assert.equal(s.value(errOid), 0);
  s.bus.publish({ kind: 'drop', at: 1, node: 'n', instance: 'VI_1', reason: 'auth' });
  assert.equal(s.sent.length, 0);
  s.bus.publish({ kind: 'drop', at: 2, node: 'n', instance: 'VI_1', reason: 'version' });
  s.bus.publish({ kind: 'drop', at: 3, node: 'n', instance: 'VI_1', reason: 'ttl' });
  assert.deepEqual(
    s.sent.map((t) => [t.trapOid.join('.'), t.varbinds]),
    [
      [[...MIB, 0, 2].join('.'), [{ oid: errOid, type: VarType.Integer, value: 2 }]],
      [[...MIB, 0, 2].join('.'), [{ oid: errOid, type: VarType.Integer, value: 1 }]],
    ],
  );
  assert.equal(s.value(errOid), 1, 'the last one');
  s.service.stop();
});
