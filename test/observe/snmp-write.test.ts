/**
 * The KEEPALIVED-MIB writer (observe/snmp/keepalived-mib-write.ts) without snmpd: TestSet refuses what keepalived
 * refuses and changes nothing; CommitSet acts on every varbind; UndoSet (another subagent's commit failed) puts the
 * old values back; realServerWeight (check-mib-write.ts), and one set over both subtrees (mib-writers.ts).
 * test/real/snmp-set.test.ts runs the same vrrp sets through snmpd against keepalived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../config/load.js';
import { AgentxError, VarType, type VarBind } from '../../protocol/agentx-codec.js';
import { keepalivedMibWriter, type InstanceControl } from '../../observe/snmp/keepalived-mib-write.js';
import { KEEPALIVED_CHECK, KEEPALIVED_VRRP } from '../../observe/snmp/keepalived-mib.js';
import { checkMibWriter, type RealServerControl } from '../../observe/snmp/check-mib-write.js';
import { subtreeWriters } from '../../observe/snmp/mib-writers.js';

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

const { config: lvs } = loadConfigText(
  `global_defs {
  enable_snmp_vrrp
  enable_snmp_checker
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.168.77.100/24
  }
}
virtual_server 192.168.77.100 80 {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  sorry_server 192.168.77.99 80
  real_server 192.168.77.21 80 {
    weight 3
    TCP_CHECK {
    }
  }
  real_server 192.168.77.22 80 {
    TCP_CHECK {
    }
  }
}
`,
  'keepalived.conf',
);

function realServers(): RealServerControl & { readonly weights: Map<string, number> } {
  // By 0-based positions, as the MIB's indexes less one (and less the sorry server's row).
  const weights = new Map([['0/0', 3], ['0/1', 1]]);
  return {
    weights,
    realServerWeight: (vs, rs) => weights.get(`${vs}/${rs}`),
    setRealServerWeight: (vs, rs, w) => weights.has(`${vs}/${rs}`) && (weights.set(`${vs}/${rs}`, w), true),
  };
}

const rsWeight = (vs: number, rs: number, value: number, type: typeof VarType.Integer | typeof VarType.OctetString = VarType.Integer): VarBind =>
  type === VarType.Integer ? { oid: [...KEEPALIVED_CHECK, 4, 1, 7, vs, rs], type, value } : { oid: [...KEEPALIVED_CHECK, 4, 1, 7, vs, rs], type, value: Buffer.from(String(value)) };

test('realServerWeight: the real servers\' rows take a weight (the sorry server\'s row is first and takes none); the rest is refused', () => {
  const c = realServers();
  const w = checkMibWriter(() => lvs, c);
  assert.equal(w.test([rsWeight(1, 2, 10), rsWeight(1, 3, 0)]), undefined);
  assert.deepEqual(w.test([rsWeight(1, 1, 10)]), { error: AgentxError.notWritable, index: 1 }, 'the sorry server');
  assert.deepEqual(w.test([rsWeight(1, 4, 10)]), { error: AgentxError.notWritable, index: 1 }, 'no third real server');
  assert.deepEqual(w.test([rsWeight(2, 1, 10)]), { error: AgentxError.notWritable, index: 1 }, 'no second virtual server');
  assert.deepEqual(w.test([rsWeight(1, 2, -1 >>> 0)]), { error: AgentxError.wrongValue, index: 1 });
  assert.deepEqual(w.test([rsWeight(1, 2, 10, VarType.OctetString)]), { error: AgentxError.wrongType, index: 1 });
  assert.deepEqual(w.test([{ oid: [...KEEPALIVED_CHECK, 4, 1, 6, 1, 2], type: VarType.Integer, value: 2 }]), { error: AgentxError.notWritable, index: 1 }, 'realServerStatus');
  // keepalived would take 300's first byte (44); vigil takes it whole.
  const undo = w.commit([rsWeight(1, 2, 300), rsWeight(1, 3, 0)]);
  assert.deepEqual([...c.weights.values()], [300, 0]);
  undo();
  assert.deepEqual([...c.weights.values()], [3, 1]);
});

test('one set over both subtrees: each varbind to its writer, a refusal named by its index in the whole request', () => {
  const c = control();
  const r = realServers();
  const w = subtreeWriters([
    { subtree: KEEPALIVED_VRRP, writer: keepalivedMibWriter(() => lvs, c, { info: () => {} }) },
    { subtree: KEEPALIVED_CHECK, writer: checkMibWriter(() => lvs, r) },
  ])!;
  assert.equal(w.test([vb(7, 1, 200), rsWeight(1, 2, 7)]), undefined);
  assert.deepEqual(w.test([vb(7, 1, 200), rsWeight(1, 2, 7), rsWeight(1, 1, 7)]), { error: AgentxError.notWritable, index: 3 });
  assert.deepEqual(w.test([rsWeight(1, 2, 7), vb(7, 1, 0)]), { error: AgentxError.wrongValue, index: 2 });
  assert.deepEqual(w.test([rsWeight(1, 2, 7), { oid: [...KEEPALIVED_VRRP.slice(0, -1), 1, 2, 0], type: VarType.Integer, value: 1 }]), { error: AgentxError.notWritable, index: 2 }, 'the global subtree');
  const undo = w.commit([vb(7, 1, 200), rsWeight(1, 2, 7)]);
  assert.deepEqual([c.priorities.get('VI_1'), r.weights.get('0/0')], [200, 7]);
  undo();
  assert.deepEqual([c.priorities.get('VI_1'), r.weights.get('0/0')], [100, 3]);
  assert.equal(subtreeWriters([]), undefined);
});
