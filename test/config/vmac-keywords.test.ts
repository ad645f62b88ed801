/**
 * `use_vmac`, `use_ipvlan`, `vmac_xmit_base`, `use_vmac_addr` and the address `peer` option read and completed as
 * keepalived 2.2.7 reads them (vrrp_parser.c vrrp_vmac_handler / vrrp_ipvlan_handler, vrrp.c
 * vrrp_complete_instance, vrrp_ipaddress.c parse_ipaddress): what keepalived reports and carries on with is a
 * warning here. Where the interfaces and addresses then go is test/actors/virtual-interfaces.test.ts; what reaches
 * the kernel is test/real/vmac-options.test.ts.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { instance, MAIN, parse, parserWarningsOf } from './helpers.js';

function read(extra: string, globals = ''): { v: ReturnType<typeof parse>['config']['vrrpInstances'][number]; warnings: string[] } {
  const r = parse(`${globals}${instance(extra)}`);
  assert.deepEqual(r.errors, []);
  return { v: r.config.vrrpInstances[0]!, warnings: parserWarningsOf(r).map((w) => w.slice(MAIN.length + 1)) };
}

test('use_vmac: name and MAC in either order, five octets take the VRID as the sixth', () => {
  assert.deepEqual(read('use_vmac').v.useVmac, {});
  assert.deepEqual(read('use_vmac vmac51').v.useVmac, { interface: 'vmac51' });
  assert.deepEqual(read('use_vmac 2:0:5E:0:1:AB vmac51').v.useVmac, { interface: 'vmac51', mac: '02:00:5e:00:01:ab' });
  // VRID 51 = 0x33; a trailing ':' after five octets means the same.
  assert.deepEqual(read('use_vmac vmac51 02:11:22:33:44').v.useVmac, { interface: 'vmac51', mac: '02:11:22:33:44:33' });
  assert.deepEqual(read('use_vmac 02:11:22:33:44:').v.useVmac, { mac: '02:11:22:33:44:33' });
});

test('use_vmac: what keepalived refuses is ignored with a warning, the rest of the line still counts', () => {
  const cases: [string, RegExp][] = [
    ['use_vmac vmac51 01:00:5e:00:00:01', /is multicast - ignoring it/],
    ['use_vmac vmac51 00:00:5e:00:01:33', /may not be an RFC 5798 address/],
    ['use_vmac vmac51 00:00:5e:00:02', /may not be an RFC 5798 address/],
    ['use_vmac vmac51 02:11:22', /invalid MAC address 02:11:22/],
    ['use_vmac vmac51 02:11:223:33:44:55', /invalid MAC address/],
    ['use_vmac vmac51 02:zz:22:33:44:55', /invalid MAC address/],
  ];
  for (const [line, warning] of cases) {
    const { v, warnings } = read(line);
    assert.deepEqual(v.useVmac, { interface: 'vmac51' }, line);
    assert.ok(warnings.some((w) => warning.test(w)), `${line}: ${warnings.join(' | ')}`);
  }
  const long = read('use_vmac a-very-long-name-indeed');
  assert.deepEqual(long.v.useVmac, {});
  assert.match(long.warnings.join('\n'), /interface name 'a-very-long-name-indeed' is too long or has invalid characters/);
});

test('use_vmac with unicast peers forces vmac_xmit_base; vmac_xmit_base without a VMAC is dropped', () => {
  const u = read('use_vmac\n  unicast_peer {\n    192.0.2.9\n  }');
  assert.equal(u.v.vmacXmitBase, true);
  assert.match(u.warnings.join('\n'), /unicast with use_vmac needs vmac_xmit_base - setting it/);
  const x = read('vmac_xmit_base');
  assert.equal(x.v.vmacXmitBase, false);
  assert.match(x.warnings.join('\n'), /vmac_xmit_base is only valid with use_vmac - ignoring it/);
});

test('use_vmac: a given MAC is refused in strict mode (RFC 5798 §7.3 wants the VRRP MAC)', () => {
  const { v, warnings } = read('use_vmac v51 02:11:22:33:44:55', 'global_defs {\n  vrrp_strict\n}\n');
  assert.deepEqual(v.useVmac, { interface: 'v51' });
  assert.match(warnings.join('\n'), /MAC address cannot be given in strict mode/);
});

test('use_ipvlan: name, address and mode in any order; a second line is ignored', () => {
  assert.deepEqual(read('use_ipvlan ipv51 192.0.2.40/24 private').v.useIpvlan, { interface: 'ipv51', address: '192.0.2.40/24', mode: 'private' });
  assert.deepEqual(read('use_ipvlan vepa 192.0.2.40').v.useIpvlan, { address: '192.0.2.40/32', mode: 'vepa' });
  const twice = read('use_ipvlan ipv51 192.0.2.40\n  use_ipvlan other');
  assert.deepEqual(twice.v.useIpvlan, { interface: 'ipv51', address: '192.0.2.40/32' });
  assert.match(twice.warnings.join('\n'), /use_ipvlan is already given - ignoring this one/);
  const modes = read('use_ipvlan bridge private');
  assert.deepEqual(modes.v.useIpvlan, { mode: 'bridge' });
  assert.match(modes.warnings.join('\n'), /the ipvlan type is already given - ignoring 'private'/);
});

test('use_ipvlan: an IPv4 instance without an ipvlan address is reported (keepalived holds it in FAULT)', () => {
  assert.match(read('use_ipvlan ipv51').warnings.join('\n'), /an IPv4 ipvlan needs an address/);
});

test('use_vmac / use_ipvlan turn promote_secondaries off (the interfaces have it set anyway)', () => {
  const { v, warnings } = read('use_vmac\n  promote_secondaries');
  assert.equal(v.promoteSecondaries, false);
  assert.match(warnings.join('\n'), /promote_secondaries is set on VMAC \/ ipvlan interfaces anyway/);
});

test('an address with use_vmac on an instance with use_vmac goes on the instance VMAC, with a warning', () => {
  const r = parse('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  use_vmac\n  virtual_ipaddress {\n    192.0.2.1 use_vmac\n  }\n}\n');
  assert.equal(r.config.vrrpInstances[0]!.virtualIpAddresses[0]!.useVmac, false);
  assert.match(parserWarningsOf(r).join('\n'), /use_vmac is given for 192.0.2.1 and for the instance/);
});

test('peer: the address becomes a host address with its peer; a prefix or broadcast with it is dropped', () => {
  const r = parse(instance('').replace('192.0.2.1', '192.0.2.1/24 peer 192.0.2.2 brd 192.0.2.255'));
  const a = r.config.vrrpInstances[0]!.virtualIpAddresses[0]!;
  assert.deepEqual([a.address, a.prefix, a.peer, a.broadcast], ['192.0.2.1', 32, '192.0.2.2', undefined]);
  const six = parse(instance('').replace('192.0.2.1', '2001:db8::1 peer 2001:db8::2'));
  const b = six.config.vrrpInstances[0]!.virtualIpAddresses[0]!;
  assert.deepEqual([b.address, b.prefix, b.peer], ['2001:db8::1', 128, '2001:db8::2']);
  const warnings = parserWarningsOf(r).join('\n');
  assert.match(warnings, /a prefix cannot be given with a peer address/);
  assert.match(warnings, /broadcast and peer addresses cannot both be given/);
  const bad = parse(instance('').replace('192.0.2.1', '192.0.2.1 peer 2001:db8::2'));
  assert.equal(bad.config.vrrpInstances[0]!.virtualIpAddresses[0]!.peer, undefined);
  assert.match(parserWarningsOf(bad).join('\n'), /does not match the address family/);
});
