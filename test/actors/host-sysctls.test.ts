/** disable_local_igmp and promote_secondaries on a host's settings (actors/daemon/host-sysctls.ts), as keepalived. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostSysctls, IGMP_LINK_LOCAL_REPORTS, promoteSecondariesKey } from '../../actors/daemon/host-sysctls.js';
import type { KeepalivedConfig } from '../../actors/vrrp/specs-from-config.js';
import { parse } from '../config/helpers.js';

function config(text: string): KeepalivedConfig {
  const r = parse(text);
  assert.deepEqual(r.errors, []);
  return r.config;
}

function instance(name: string, ifname: string, vrid: number, extra: string): string {
  return `vrrp_instance ${name} {\n interface ${ifname}\n virtual_router_id ${vrid}\n priority 100\n ${extra}\n virtual_ipaddress { 192.168.77.${vrid}/24 }\n}\n`;
}

class FakeSysctls {
  readonly values = new Map<string, string>();
  readonly writes: string[] = [];
  read(key: string): string | undefined {
    return this.values.get(key);
  }
  write(key: string, value: string): void {
    if (!this.values.has(key)) throw new Error('ENOENT');
    this.values.set(key, value);
    this.writes.push(`${key}=${value}`);
  }
}

test('promote_secondaries: on where it was off, left alone where it was on, put back when no instance asks for it', () => {
  const sysctls = new FakeSysctls();
  sysctls.values.set(IGMP_LINK_LOCAL_REPORTS, '1');
  sysctls.values.set(promoteSecondariesKey('eth0'), '0');
  sysctls.values.set(promoteSecondariesKey('eth1'), '1');
  sysctls.values.set(promoteSecondariesKey('eth2'), '0');
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const host = new HostSysctls(sysctls, log);
  host.start(config(instance('A', 'eth0', 10, 'promote_secondaries') + instance('B', 'eth1', 11, 'promote_secondaries') + instance('C', 'eth2', 12, '')));
  assert.deepEqual(sysctls.writes, ['net/ipv4/conf/eth0/promote_secondaries=1']);
  // A reload: eth0 no longer asked for, eth2 now is.
  host.reload(config(instance('A', 'eth0', 10, '') + instance('C', 'eth2', 12, 'promote_secondaries')));
  assert.equal(sysctls.values.get(promoteSecondariesKey('eth0')), '0');
  assert.equal(sysctls.values.get(promoteSecondariesKey('eth2')), '1');
  host.stop();
  assert.equal(sysctls.values.get(promoteSecondariesKey('eth1')), '1');
  assert.equal(sysctls.values.get(promoteSecondariesKey('eth2')), '0');
  // disable_local_igmp was not given: never touched.
  assert.ok(!sysctls.writes.some((w) => w.startsWith(IGMP_LINK_LOCAL_REPORTS)));
});

test('disable_local_igmp: reports off while running, back on at stop; a reload cannot change it; a VMAC instance is not promoted', () => {
  const sysctls = new FakeSysctls();
  sysctls.values.set(IGMP_LINK_LOCAL_REPORTS, '1');
  sysctls.values.set(promoteSecondariesKey('eth0'), '0');
  const said: string[] = [];
  const host = new HostSysctls(sysctls, { debug() {}, info: (m) => said.push(m), warn: (m) => said.push(m), error() {} });
  host.start(config(`global_defs {\n disable_local_igmp\n}\n${instance('A', 'eth0', 10, 'promote_secondaries\n use_vmac')}`));
  assert.equal(sysctls.values.get(IGMP_LINK_LOCAL_REPORTS), '0');
  assert.equal(sysctls.values.get(promoteSecondariesKey('eth0')), '0');
  host.reload(config(instance('A', 'eth0', 10, '')));
  assert.deepEqual(said, ['Cannot change disable_local_igmp at a reload - please restart vigil']);
  assert.equal(sysctls.values.get(IGMP_LINK_LOCAL_REPORTS), '0');
  host.stop();
  assert.equal(sysctls.values.get(IGMP_LINK_LOCAL_REPORTS), '1');

  // Already 0 before vigil: left at 0 at stop.
  const off = new FakeSysctls();
  off.values.set(IGMP_LINK_LOCAL_REPORTS, '0');
  const h2 = new HostSysctls(off, { debug() {}, info() {}, warn() {}, error() {} });
  h2.start(config(`global_defs {\n disable_local_igmp\n}\n`));
  h2.stop();
  assert.deepEqual(off.writes, []);
});
