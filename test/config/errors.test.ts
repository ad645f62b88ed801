/**
 * Problems in a configuration: an unknown keyword is a warning; a wrong value, a bad address, a missing include,
 * an include cycle, an unterminated block are errors. Every message starts with file:line and names the keyword.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { errorsOf, instance, MAIN, parse, parserWarningsOf, warningsOf } from './helpers.js';

const at = (line: number, message: string): string => `${MAIN}:${line}: ${message}`;

test('an unknown keyword is a warning with file:line; its block is skipped', () => {
  const r = parse(instance('  frobnicate 3\n  shiny_block {\n    a b\n  }\n  priority 42'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [at(7, "unknown keyword 'frobnicate' in vrrp_instance"), at(8, "unknown keyword 'shiny_block' in vrrp_instance")]);
  assert.equal(r.config.vrrpInstances[0]!.priority, 42);
  const top = parse('no_such_block {\n  x\n}\nglobal_defs {\n  router_id R\n}\n');
  assert.deepEqual(parserWarningsOf(top), [at(1, "unknown keyword 'no_such_block'")]);
  assert.equal(top.config.globalDefs.routerId, 'R');
});

test('virtual_router_id 0 and 256 are errors naming the keyword; the instance then has none', () => {
  for (const vrid of ['0', '256', 'x51']) {
    const r = parse(`vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n`);
    assert.deepEqual(errorsOf(r), [at(3, `virtual_router_id: '${vrid}' is not an integer from 1 to 255`), at(1, 'vrrp_instance VI_1: virtual_router_id is missing')]);
    assert.equal(r.config.vrrpInstances.length, 0);
  }
});

test('priority 0 and 256 are errors naming the keyword; 255 is the address owner', () => {
  for (const p of ['0', '256', '-1']) {
    const r = parse(instance(`  priority ${p}`));
    assert.deepEqual(errorsOf(r), [at(7, `priority: '${p}' is not an integer from 1 to 255`)]);
    assert.equal(r.config.vrrpInstances[0]!.priority, 100);
  }
  const owner = parse(instance('  priority 255'));
  assert.deepEqual(errorsOf(owner), []);
  assert.equal(owner.config.vrrpInstances[0]!.state, 'MASTER');
});

test('a bad address is an error naming the keyword', () => {
  const r = parse(
    'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  unicast_src_ip 192.0.2.300\n  virtual_ipaddress {\n    192.0.2.1\n    10.0.0.256/24\n    10.0.0.1/33\n  }\n  unicast_peer {\n    192.0.2.\n  }\n}\n',
  );
  assert.deepEqual(errorsOf(r), [
    at(4, "unicast_src_ip: '192.0.2.300' is not an IP address"),
    at(7, "virtual_ipaddress: '10.0.0.256' is not an IP address"),
    at(8, "virtual_ipaddress: prefix length '33' of 10.0.0.1 is not from 0 to 32"),
    at(11, "unicast_peer: '192.0.2.' is not an IP address"),
  ]);
  assert.deepEqual(r.config.vrrpInstances[0]!.virtualIpAddresses.map((a) => a.address), ['192.0.2.1']);
});

test('addresses of another family than the instance are errors', () => {
  const r = parse(instance('  virtual_ipaddress {\n    2001:db8::1\n  }'));
  assert.deepEqual(errorsOf(r), [at(8, 'vrrp_instance VI_1: virtual address 2001:db8::1 is IPv6 but the instance is IPv4')]);
});

test('a bad real_server or virtual_server address is an error and its block is skipped', () => {
  const r = parse('virtual_server 10.0.0.1 99999 {\n  lb_algo rr\n}\nvirtual_server 10.0.0.2 80 {\n  lb_algo rr\n  real_server 10.0.0.x 80 {\n    weight 3\n  }\n  real_server 10.0.0.3 80 {\n  }\n}\n');
  assert.deepEqual(errorsOf(r), [at(1, "virtual_server port: '99999' is not an integer from 0 to 65535"), at(6, "real_server: '10.0.0.x' is not an IP address")]);
  assert.equal(r.config.virtualServers.length, 1);
  assert.deepEqual(r.config.virtualServers[0]!.realServers.map((s) => s.ip), ['10.0.0.3']);
});

test('values of the wrong type or out of range name the keyword', () => {
  const r = parse(instance('  advert_int 0\n  advert_int fast\n  state PRIMARY\n  garp_master_repeat -1\n  authentication {\n    auth_type MD5\n  }\n  preempt_delay 1001'));
  assert.deepEqual(errorsOf(r), [
    at(7, "advert_int: '0' is out of range [0.01, 255]"),
    at(8, "advert_int: 'fast' is not a number of seconds"),
    at(9, "vrrp_instance VI_1: state 'PRIMARY' is not MASTER or BACKUP"),
    at(10, "garp_master_repeat: '-1' is not an integer from 0 to 4294967295"),
    at(12, "vrrp_instance VI_1: auth_type 'MD5' is not PASS or AH"),
    at(14, "preempt_delay: '1001' is out of range [0, 1000]"),
  ]);
});

test('global_defs values are checked too', () => {
  const r = parse('global_defs {\n  vrrp_version 4\n  smtp_server mail 0\n  vrrp_mcast_group4 foo\n  smtp_alert maybe\n}\n');
  assert.deepEqual(errorsOf(r), [
    at(2, "vrrp_version: '4' is not an integer from 2 to 3"),
    at(3, "smtp_server port: '0' is not an integer from 1 to 65535"),
    at(4, "vrrp_mcast_group4: 'foo' is not an IP address"),
    at(5, "smtp_alert: 'maybe' is not one of on|off|true|false|yes|no"),
  ]);
  assert.equal(r.config.globalDefs.vrrpVersion, 2);
});

test('virtual_server values: scheduler, forwarding method, protocol, weights', () => {
  const r = parse('virtual_server 10.0.0.1 80 {\n  lb_algo fastest\n  lb_kind NATT\n  protocol ICMP\n  real_server 10.0.0.2 80 {\n    weight -1\n    HTTP_GET {\n      connect_timeout 3\n    }\n  }\n}\n');
  assert.deepEqual(errorsOf(r), [
    at(2, "lb_algo: unknown scheduler 'fastest' (one of rr|wrr|lc|wlc|lblc|sh|mh|dh|fo|ovf|lblcr|sed|nq|twos)"),
    at(3, "lb_kind: 'NATT' is not NAT, DR or TUN"),
    at(4, "protocol: 'ICMP' is not TCP, UDP or SCTP"),
    at(6, "weight: '-1' is not an integer from 0 to 2147483647"),
    at(7, 'virtual_server 10.0.0.1:80 real_server 10.0.0.2:80: HTTP_GET has no url - checker ignored'),
  ]);
  assert.deepEqual(warningsOf(r), [
    at(1, 'virtual_server 10.0.0.1:80: no protocol given - using UDP (as keepalived does)'),
    at(1, 'virtual_server 10.0.0.1:80: no lb_algo given - using wlc'),
    at(1, 'virtual_server 10.0.0.1:80: no lb_kind given - using NAT'),
  ]);
});

test('an unterminated block is an error at the line that opened it, and the end of input is not a crash', () => {
  const r = parse('global_defs {\n  router_id A\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_ipaddress {\n    192.0.2.1\n  }\n');
  assert.deepEqual(errorsOf(r).slice(0, 1), [at(4, "unterminated block 'vrrp_instance VI_1': missing '}' before end of input")]);
  const nested = parse('virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n');
  assert.deepEqual(errorsOf(nested), [
    at(3, "unterminated block 'TCP_CHECK': missing '}' before end of input"),
    at(2, "unterminated block 'real_server 10.0.0.2 80': missing '}' before end of input"),
    at(1, "unterminated block 'virtual_server 10.0.0.1 80': missing '}' before end of input"),
  ]);
});

test("an extra '}' and a missing '{' are errors at their line", () => {
  const r = parse('global_defs {\n  router_id A\n}\n}\nglobal_defs\n  router_id B\n}\n');
  assert.deepEqual(errorsOf(r), [at(4, "unexpected '}' (no block is open)"), at(6, "missing '{' after 'global_defs'")]);
  // keepalived reads the lines after a missing '{' as the block anyway.
  assert.equal(r.config.globalDefs.routerId, 'B');
});

test('a vrrp_instance defined twice, or without a name, is an error; the second is skipped', () => {
  const r = parse(instance('  priority 10') + instance('  priority 20') + 'vrrp_instance {\n}\n');
  assert.deepEqual(errorsOf(r), [at(9, 'vrrp_instance VI_1 is already defined - skipping this one'), at(17, 'vrrp_instance must have a name')]);
  assert.deepEqual(r.config.vrrpInstances.map((v) => v.priority), [10]);
});

test('an instance without interface (and no unicast_src_ip) or reusing a VRID on an interface is an error', () => {
  const r = parse('vrrp_instance A {\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n' + instance('', 'B', 7) + instance('', 'C', 7));
  assert.deepEqual(errorsOf(r), [
    at(1, 'vrrp_instance A: interface is missing (unicast instances need unicast_src_ip or interface)'),
    at(15, 'vrrp_instance C: virtual_router_id 7 is already used by vrrp_instance B on eth0 (IPv4)'),
  ]);
  assert.deepEqual(r.config.vrrpInstances.map((v) => v.name), ['B']);
});

test('VRRPv3 without a virtual address is an error; v2 gets a warning', () => {
  const v3 = parse('vrrp_instance A {\n  interface eth0\n  version 3\n  virtual_router_id 1\n}\n');
  assert.deepEqual(errorsOf(v3), [at(1, 'vrrp_instance A: no virtual_ipaddress given; VRRPv3 and strict mode need at least one')]);
  const v2 = parse('vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n}\n');
  assert.deepEqual(errorsOf(v2), []);
  assert.deepEqual(warningsOf(v2), [at(1, 'vrrp_instance A: no virtual_ipaddress given; at least one is sensible')]);
});

test('references to undefined scripts, instances and groups', () => {
  const r = parse(
    instance('  track_script {\n    nope\n  }') + 'vrrp_sync_group G {\n  group {\n    VI_1\n    ghost\n  }\n}\nvirtual_server group NOPE {\n  lb_algo rr\n}\n',
  );
  assert.deepEqual(errorsOf(r), [at(17, "virtual_server group NOPE: virtual_server_group 'NOPE' is not defined")]);
  assert.deepEqual(warningsOf(r), [
    at(1, "vrrp_instance VI_1: track_script 'nope' is not defined - ignoring"),
    at(11, "vrrp_sync_group G: vrrp_instance 'ghost' does not exist - ignoring"),
    at(11, 'vrrp_sync_group G: has only one vrrp_instance - this probably is not what you want'),
  ]);
});

test('a missing include and an include cycle are errors with file:line', () => {
  const r = parse('\ninclude missing.conf\ninclude loop.conf\n', { '/cfg/loop.conf': 'include keepalived.conf\n' });
  assert.deepEqual(errorsOf(r), [at(2, "include: cannot open '/cfg/missing.conf': no such file"), '/cfg/loop.conf:1: include cycle: /cfg/keepalived.conf -> /cfg/loop.conf -> /cfg/keepalived.conf']);
});

test('a missing main file is an error, not an exception', () => {
  const r = parse('', {});
  assert.deepEqual(errorsOf(r), []);
  const missing = parse('include /nowhere/keepalived.conf\n');
  assert.deepEqual(errorsOf(missing), [at(1, "include: cannot open '/nowhere/keepalived.conf': no such file")]);
});

test("keepalived's spellings that mean the same: a rule's 'order' is its preference; global_tracking keeps members' weights", () => {
  const rule = parse(instance('  virtual_rules {\n    from 10.1.0.0/16 table 100 order 300\n  }'));
  assert.deepEqual(rule.config.vrrpInstances[0]!.virtualRules.map((r) => [r.preference, r.options]), [[300, []]]);
  const group = (keyword: string): number | undefined => {
    const text = instance('  track_interface {\n    eth1 weight -20\n  }') + `vrrp_sync_group G {\n  group {\n    VI_1\n  }\n  ${keyword}\n}\n`;
    return parse(text).config.vrrpInstances[0]!.trackInterfaces[0]!.weight;
  };
  // Without either, keepalived takes a sync group member's tracking weights as 0 (FAULT when down).
  assert.deepEqual([group('sync_group_tracking_weight'), group('global_tracking'), group('smtp_alert off')], [-20, -20, 0]);
});
