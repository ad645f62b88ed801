/**
 * Where an instance's addresses go and which macvlan / ipvlan interfaces it needs, as keepalived 2.2.7 decides
 * (vrrp.c vrrp_complete_instance, create_vmac_name), and the address options in the instance's spec
 * (vrrp_ipaddress.c: an IPv6 /128 deprecated unless preferred_lft says otherwise). What reaches the kernel is
 * test/real/vmac-options.test.ts and test/real/address-options.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceSpec, nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { topologies } from '../../actors/vrrp/virtual-interfaces.js';
import { parse } from '../config/helpers.js';

function config(text: string): ReturnType<typeof parse>['config'] {
  const r = parse(text);
  assert.deepEqual(r.errors, []);
  return r.config;
}

const inst = (name: string, vrid: number, lines: string, vips = '192.0.2.1'): string =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  ${lines}\n  virtual_ipaddress {\n    ${vips}\n  }\n}\n`;

test('use_vmac: vrrp.VRID with the RFC 5798 MAC, the VIPs of its family on it, advertisements through it', () => {
  const c = config(inst('VI_1', 51, 'use_vmac'));
  const spec = instanceSpec(c.vrrpInstances[0]!, c);
  assert.deepEqual(spec.interfaces, [
    { kind: 'macvlan', name: 'vrrp.51', parent: 'eth0', family: 4, mac: '00:00:5e:00:01:33', ipv6: false, linkLocal: false },
  ]);
  assert.deepEqual(spec.vmac, { name: 'vrrp.51', xmitBase: false, kind: 'macvlan' });
  assert.equal(spec.virtualAddresses[0]!.interface, 'vrrp.51');
});

test('use_vmac NAME MAC: the given name and MAC', () => {
  const c = config(inst('VI_1', 51, 'use_vmac v51 02:11:22:33:44:55'));
  const own = topologies(c).get(c.vrrpInstances[0]!)!.own!;
  assert.deepEqual([own.name, own.mac], ['v51', '02:11:22:33:44:55']);
});

test('names: an IPv6 instance tries vrrp.VRID first, then vrrp6.VRID; a name another instance gives is skipped', () => {
  const c = config(
    inst('VI_1', 51, 'use_vmac vrrp.52') + inst('VI_2', 52, 'use_vmac', 'fd00::1') + inst('VI_3', 52, 'use_vmac', '192.0.2.3') +
      'global_defs {\n  vmac_prefix vm\n}\n',
  );
  const names = [...topologies(c).values()].map((t) => t.own?.name);
  assert.deepEqual(names, ['vrrp.52', 'vm.52', 'vm1.52']);
  const c6 = config(inst('VI_1', 7, 'use_vmac vrrp.7') + inst('VI_2', 7, 'use_vmac', 'fd00::1'));
  const v6 = topologies(c6).get(c6.vrrpInstances[1]!)!.own!;
  assert.deepEqual([v6.name, v6.mac, v6.ipv6, v6.linkLocal], ['vrrp6.7', '00:00:5e:00:02:07', true, true]);
});

test('use_vmac_addr: an address on another interface gets a macvlan there, shared by the same MAC', () => {
  const c = config(inst('VI_1', 9, 'use_vmac_addr', '192.0.2.1\n    192.0.2.2 dev eth1\n    192.0.2.3 dev eth1'));
  const t = topologies(c).get(c.vrrpInstances[0]!)!;
  assert.equal(t.own, undefined);
  assert.deepEqual(t.addressInterfaces, ['eth0', 'vrrp.9', 'vrrp.9']);
  assert.deepEqual(t.interfaces, [{ kind: 'macvlan', name: 'vrrp.9', parent: 'eth1', family: 4, mac: '00:00:5e:00:01:09', ipv6: false, linkLocal: false }]);
});

test('an address with use_vmac gets its own macvlan on its interface (vmac_addr_prefix names it)', () => {
  const c = config('global_defs {\n  vmac_addr_prefix va\n}\n' + inst('VI_1', 9, '', '192.0.2.1\n    192.0.2.2 dev eth1 use_vmac'));
  const t = topologies(c).get(c.vrrpInstances[0]!)!;
  assert.deepEqual(t.addressInterfaces, ['eth0', 'va.9']);
  assert.equal(t.interfaces[0]!.parent, 'eth1');
});

test('use_ipvlan: an ipvlan with its mode and address, the source of advertisements; the VIPs stay on the interface', () => {
  const c = config(inst('VI_1', 51, 'use_ipvlan ipv51 192.0.2.40/24 private'));
  const spec = instanceSpec(c.vrrpInstances[0]!, c);
  assert.deepEqual(spec.interfaces, [
    { kind: 'ipvlan', name: 'ipv51', parent: 'eth0', family: 4, ipv6: false, ipvlanMode: 'private', address: { address: '192.0.2.40', prefix: 24, family: 4 } },
  ]);
  assert.equal(spec.unicastSourceAddress, '192.0.2.40');
  assert.equal(spec.virtualAddresses[0]!.interface, 'eth0');
  assert.equal(spec.trackers.some((t) => t.id === 'config:ipvlan-address'), false);
});

test('use_ipvlan without an address on an IPv4 instance: a tracker that is down for good (keepalived config fault)', () => {
  const c = config(inst('VI_1', 51, 'use_ipvlan'));
  const fault = instanceSpec(c.vrrpInstances[0]!, c).trackers.find((t) => t.id === 'config:ipvlan-address');
  assert.deepEqual(fault, { id: 'config:ipvlan-address', weight: 0, up: false });
});

test('address options in the spec: an IPv6 /128 is deprecated unless preferred_lft; flags, peer and -nodad', () => {
  const c = config(
    inst('VI_1', 6, '', 'fd00::1/128\n    fd00::2/64\n    fd00::3/128 preferred_lft forever\n    fd00::4/128 preferred_lft 30 home mngtmpaddr noprefixroute -nodad\n    fd00::5 peer fd00::6'),
  );
  const addresses = nodeSpec(c).instances[0]!.virtualAddresses;
  assert.deepEqual(
    addresses.map((a) => [a.address, a.preferredLifetime, a.flags, a.dad, a.peer]),
    [
      ['fd00::1', 0, undefined, undefined, undefined],
      ['fd00::2', undefined, undefined, undefined, undefined],
      ['fd00::3', undefined, undefined, undefined, undefined],
      ['fd00::4', 30, { home: true, mngtmpaddr: true, noprefixroute: true }, true, undefined],
      ['fd00::5', 0, undefined, undefined, 'fd00::6'],
    ],
  );
  const v4 = config(inst('VI_1', 4, '', '192.0.2.1/32 preferred_lft 30 noprefixroute'));
  const a = nodeSpec(v4).instances[0]!.virtualAddresses[0]!;
  assert.deepEqual([a.preferredLifetime, a.flags], [undefined, { noprefixroute: true }]);
});

test('no_track: the interface of a VIP on another link is tracked unless no_track', () => {
  const c = config(inst('VI_1', 4, '', '192.0.2.1 dev eth1\n    192.0.2.2 dev eth2 no_track'));
  const ids = instanceSpec(c.vrrpInstances[0]!, c).trackers.map((t) => t.id);
  assert.ok(ids.includes('interface:eth1'), ids.join());
  assert.ok(!ids.includes('interface:eth2'), ids.join());
});

test('track_group on a static address: the instances of the group track its interface (default_interface without dev)', () => {
  const c = config(
    'global_defs {\n  default_interface eth4\n}\ntrack_group TG {\n  group {\n    VI_1\n  }\n}\n' +
      'static_ipaddress {\n  10.0.0.1/24 track_group TG\n  10.0.1.1/24 dev eth5 track_group TG\n  10.0.2.1/24 dev eth6 track_group TG no_track\n  10.0.3.1/24 dev eth7\n}\n' +
      inst('VI_1', 4, '') + inst('VI_2', 5, ''),
  );
  const ids = (i: number): string[] => instanceSpec(c.vrrpInstances[i]!, c).trackers.map((t) => t.id).filter((id) => id.startsWith('interface:'));
  assert.deepEqual(ids(0), ['interface:eth4', 'interface:eth5']);
  assert.deepEqual(ids(1), []);
});
