/**
 * KEEPALIVED-MIB traps told during a reload are the new file's (keepalived start_vrrp reads the file and sets
 * SNMP up again before its instances and sync groups notify): a group and an instance the reload adds are told,
 * with the new router_id; an instance it removes is still told, as the old file had it. The daemon runs on
 * simulated transports, the SNMP service is wired to it as `vigil run` wires it, the subagent records its traps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnmpService } from '../../observe/snmp/snmp-service.js';
import { KEEPALIVED_VRRP } from '../../observe/snmp/keepalived-mib.js';
import type { VarBind } from '../../protocol/agentx-codec.js';
import { simulatedDaemon, type SimulatedDaemon } from '../daemon/simulated-daemon.js';

const instance = (name: string, vrid: number): string =>
  `vrrp_instance ${name} {\n    state BACKUP\n    interface eth0\n    virtual_router_id ${vrid}\n    priority 100\n    advert_int 1\n    virtual_ipaddress {\n        192.168.77.${vrid}/24\n    }\n}\n`;
const group = (name: string, members: readonly string[]): string => `vrrp_sync_group ${name} {\n    group {\n        ${members.join('\n        ')}\n    }\n}\n`;
const globals = (routerId: string): string => `global_defs {\n    router_id ${routerId}\n    enable_snmp_vrrp\n    enable_traps\n}\n`;

const value = (v: VarBind): string => ('value' in v ? (Buffer.isBuffer(v.value) ? v.value.toString() : String(v.value)) : '');

/** The SNMP service as `vigil run` wires it to the daemon, with a subagent that records each trap as a line. */
function service(d: SimulatedDaemon): { traps: string[]; snmp: SnmpService } {
  const traps: string[] = [];
  const snmp = new SnmpService({
    config: () => d.daemon.runningConfig,
    status: () => d.daemon.status(),
    ifIndex: () => 2,
    ifMac: () => undefined,
    primaryAddress: () => undefined,
    hostname: 'lb1',
    version: 'vigil test',
    log: { info() {}, warn() {} },
    messages$: d.daemon.bus.messages$,
    subagent: () => ({
      start() {},
      stop() {},
      notify(oid, varbinds) {
        // vrrpSyncGroupStateChange (.10.0.1) or vrrpInstanceStateChange (.10.0.2): name, state, …, router id.
        const kind = oid.join('.') === [...KEEPALIVED_VRRP, 10, 0, 1].join('.') ? 'group' : 'instance';
        traps.push(`${kind} ${value(varbinds[0]!)} ${value(varbinds[1]!)} ${value(varbinds[varbinds.length - 1]!)}`);
        return true;
      },
    }),
  });
  return { traps, snmp };
}

test('the traps of a reload: the added group and instance with the new router_id, the removed instance as it was', async () => {
  const d = simulatedDaemon(globals('old') + group('G', ['VI_1']) + instance('VI_1', 51) + instance('VI_4', 54));
  const { traps, snmp } = service(d);
  try {
    await d.daemon.start();
    snmp.apply();
    await d.advance(1000);
    assert.deepEqual(traps, ['instance VI_1 1 old', 'instance VI_4 1 old', 'group G 1 old']);
    traps.length = 0;
    d.write(globals('new') + group('G', ['VI_1']) + group('K', ['VI_3']) + instance('VI_1', 51) + instance('VI_3', 53));
    assert.equal((await d.daemon.reload()).ok, true);
    snmp.apply();
    // VI_4 removed (STOP, 5); K added, told BACKUP (1) before its instance; G kept, not told again.
    assert.deepEqual(traps, ['instance VI_4 5 new', 'group K 1 new', 'instance VI_3 1 new']);
  } finally {
    snmp.stop();
    await d.close();
  }
});

test('a reload that turns traps on tells what it announces', async () => {
  const d = simulatedDaemon(group('G', ['VI_1']) + instance('VI_1', 51));
  const { traps, snmp } = service(d);
  try {
    await d.daemon.start();
    snmp.apply();
    await d.advance(1000);
    assert.deepEqual(traps, []);
    d.write(globals('new') + group('G', ['VI_1']) + group('K', ['VI_3']) + instance('VI_1', 51) + instance('VI_3', 53));
    assert.equal((await d.daemon.reload()).ok, true);
    snmp.apply();
    assert.deepEqual(traps, ['group K 1 new', 'instance VI_3 1 new']);
  } finally {
    snmp.stop();
    await d.close();
  }
});
