/**
 * The KEEPALIVED-MIB writer (observe/snmp/keepalived-mib-write.ts) without snmpd: TestSet refuses what keepalived
 * refuses and changes nothing; CommitSet acts on every varbind; UndoSet (another subagent's commit failed) puts the
 * old values back. test/real/snmp-set.test.ts runs the same sets through snmpd against keepalived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../config/load.js';
import { AgentxError, VarType, type VarBind } from '../../protocol/agentx-codec.js';
import { keepalivedMibWriter, type InstanceControl } from '../../observe/snmp/keepalived-mib-write.js';
import { KEEPALIVED_VRRP } from '../../observe/snmp/keepalived-mib.js';

const { config } = loadConfigText(
  `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.168.77.100/24
  }
}
vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 52
  priority 90
  version 3
  nopreempt
  virtual_ipaddress {
    192.168.77.101/24
  }
}
`,
  'keepalived.conf',
);

function control(): InstanceControl & { readonly priorities: Map<string, number>; readonly preempts: Map<string, boolean> } {
  const priorities = new Map([['VI_1', 100], ['VI_3', 90]]);
  const preempts = new Map([['VI_1', true], ['VI_3', false]]);
  return {
    priorities,
    preempts,
    basePriority: (i) => priorities.get(i),
    preempt: (i) => preempts.get(i),
    setBasePriority: (i, p) => (priorities.set(i, p), true),
    setPreempt: (i, p) => (preempts.set(i, p), true),
  };
}

const vb = (column: number, instance: number, value: number, type: typeof VarType.Integer | typeof VarType.Gauge32 = VarType.Integer): VarBind => ({
  oid: [...KEEPALIVED_VRRP, 3, 1, column, instance],
  type,
  value,
});

test('TestSet refuses as keepalived does, naming the first refused varbind, and changes nothing', () => {
  const c = control();
  const w = keepalivedMibWriter(() => config, c, { info: () => {} });
  assert.equal(w.test([vb(7, 1, 200), vb(13, 2, 1)]), undefined);
  assert.deepEqual(w.test([vb(7, 1, 200), vb(7, 2, 0)]), { error: AgentxError.wrongValue, index: 2 });
  assert.deepEqual(w.test([vb(7, 1, 256)]), { error: AgentxError.wrongValue, index: 1 });
  assert.deepEqual(w.test([vb(7, 1, -1 >>> 0)]), { error: AgentxError.wrongValue, index: 1 });
  assert.deepEqual(w.test([vb(7, 1, 200, VarType.Gauge32)]), { error: AgentxError.wrongType, index: 1 });
  assert.deepEqual(w.test([vb(13, 1, 3)]), { error: AgentxError.wrongValue, index: 1 });
  assert.deepEqual(w.test([vb(27, 2, 1)]), { error: AgentxError.noAccess, index: 1 }, 'accept of a VRRPv3 instance');
  assert.deepEqual(w.test([vb(27, 1, 1)]), { error: AgentxError.notWritable, index: 1 }, 'accept of a VRRPv2 instance');
  assert.deepEqual(w.test([vb(8, 1, 1)]), { error: AgentxError.notWritable, index: 1 }, 'the effective priority');
  assert.deepEqual(w.test([vb(7, 3, 1)]), { error: AgentxError.notWritable, index: 1 }, 'no third instance');
  assert.deepEqual([...c.priorities.values(), ...c.preempts.values()], [100, 90, true, false]);
});

test('CommitSet acts on every varbind; UndoSet puts the old values back', () => {
  const c = control();
  const logged: string[] = [];
  const w = keepalivedMibWriter(() => config, c, { info: (m) => logged.push(m) });
  const undo = w.commit([vb(7, 1, 200), vb(13, 2, 1), vb(7, 2, 250)]);
  assert.deepEqual([c.priorities.get('VI_1'), c.priorities.get('VI_3'), c.preempts.get('VI_3')], [200, 250, true]);
  assert.deepEqual(logged[0], '(VI_1) base priority changed from 100 to 200 via SNMP.');
  undo();
  assert.deepEqual([c.priorities.get('VI_1'), c.priorities.get('VI_3'), c.preempts.get('VI_3')], [100, 90, false]);
});
