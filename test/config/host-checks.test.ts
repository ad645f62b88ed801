/**
 * Host checks (config/host-checks.ts) against a made-up host: interfaces, iproute2 names, script users and script
 * files, each problem named at the line it was read from. The same checks meet the real host and keepalived -t in
 * test/config/differential.test.ts.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkHost } from '../../config/host-checks.js';
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, IFF_MULTICAST, readHostFacts, type FileInfo, type HostFacts, type HostInterface } from '../../config/host-facts.js';
import { programOf, scriptStatus } from '../../config/script-files.js';
import { iproute2Names } from '../../config/iproute2-names.js';
import { instance, MAIN, parse } from './helpers.js';

const UP = 0x1 | IFF_MULTICAST;

function link(name: string, type = ARPHRD_ETHER, flags = UP, lower: string[] = []): [string, HostInterface] {
  return [name, { name, type, flags, lower }];
}

const dir = (mode = 0o755, uid = 0): FileInfo => ({ kind: 'directory', uid, gid: 0, mode, id: `d${Math.random()}` });
const file = (mode = 0o755, uid = 0, gid = 0): FileInfo => ({ kind: 'file', uid, gid, mode, id: `f${Math.random()}` });

interface FakeHost {
  interfaces?: [string, HostInterface][] | undefined;
  files?: Record<string, FileInfo>;
  /** path → the path it links to (absolute). */
  links?: Record<string, string>;
  users?: Record<string, [number, number]>;
  groups?: Record<string, number>;
  names?: Record<string, string>;
}

const BASE_FILES: Record<string, FileInfo> = { '/': dir(), '/usr': dir(), '/usr/bin': dir(), '/usr/bin/true': file(), '/etc': dir(), '/etc/keepalived': dir() };

function host(f: FakeHost = {}): HostFacts {
  const files = { ...BASE_FILES, ...f.files };
  const links = f.links ?? {};
  const real = (p: string): string | undefined => {
    const target = links[p];
    if (target !== undefined) return real(target);
    return files[p] ? p : undefined;
  };
  const nameFiles = f.names ?? {};
  return {
    interfaces: f.interfaces === undefined ? new Map([link('lo', ARPHRD_LOOPBACK, 0x9), link('eth0'), link('eth1')]) : new Map(f.interfaces),
    names: iproute2Names({ read: (p) => nameFiles[p], list: (d) => Object.keys(nameFiles).filter((p) => p.startsWith(`${d}/`)).map((p) => p.slice(d.length + 1)) }),
    user: (name) => {
      const u = (f.users ?? { root: [0, 0] })[name];
      return u ? { uid: u[0], gid: u[1] } : undefined;
    },
    group: (name) => (f.groups ?? { root: 0 })[name],
    stat: (p) => {
      const r = real(p);
      return r === undefined ? undefined : files[r];
    },
    lstat: (p) => (links[p] !== undefined ? { kind: 'symlink', uid: 0, gid: 0, mode: 0o777, id: `l${p}` } : files[p]),
    realpath: real,
    searchPath: ['/usr/local/bin', '/usr/bin'],
  };
}

/** The problems of `text` on `h`, as `line: message` (errors) and `line: warning: message`. */
function problems(text: string, h: HostFacts = host(), interfaces = true): string[] {
  const parsed = parse(text);
  assert.deepEqual(parsed.errors, [], 'the configuration parses');
  const r = checkHost(parsed.config, h, { interfaces });
  return [...r.errors.map((e) => `${e.line}: ${e.message}`), ...r.warnings.map((w) => `${w.line}: warning: ${w.message}`)];
}

const SECURE = 'global_defs {\n  script_user root\n  enable_script_security\n}\n';

test('interfaces: a missing instance interface, track_interface, address, route, next hop and rule device, each at its line', () => {
  const text = `${instance('  track_interface {\n    eth1\n    eth9\n  }\n  virtual_ipaddress_excluded {\n    10.1.1.1/24 dev eth8\n  }\n  virtual_routes {\n    10.9.0.0/16 via 192.0.2.254 dev eth7\n    10.8.0.0/16 nexthop via 192.0.2.254 dev eth6\n  }\n  virtual_rules {\n    from 10.9.0.0/16 iif eth5 oif eth4 table main priority 100\n  }')}`;
  assert.deepEqual(problems(text.replace('interface eth0', 'interface eth3')), [
    '1: vrrp_instance VI_1: interface eth3 does not exist (see dynamic_interfaces)',
    '9: vrrp_instance VI_1 track_interface: interface eth9 does not exist (see dynamic_interfaces)',
    '12: vrrp_instance VI_1: virtual_ipaddress_excluded 10.1.1.1/24: interface eth8 does not exist (see dynamic_interfaces)',
    '15: vrrp_instance VI_1: virtual_routes 10.9.0.0/16: interface eth7 does not exist (see dynamic_interfaces)',
    '16: vrrp_instance VI_1: virtual_routes 10.8.0.0/16 nexthop: interface eth6 does not exist (see dynamic_interfaces)',
    '19: vrrp_instance VI_1: virtual_rules iif: interface eth5 does not exist (see dynamic_interfaces)',
    '19: vrrp_instance VI_1: virtual_rules oif: interface eth4 does not exist (see dynamic_interfaces)',
  ]);
  // --no-interfaces: none of them; the table name is still checked.
  assert.deepEqual(problems(text.replace('table main', 'table nosuch'), host(), false), [
    "19: vrrp_instance VI_1: virtual_rules: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf",
  ]);
});

test('interfaces: a sync group track_interface, static entries, garp_group, linkbeat_interfaces, interface_up_down_delays', () => {
  const text =
    `vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  track_interface {\n    eth9\n  }\n}\n` +
    `static_ipaddress {\n  10.0.0.1/24 dev eth8\n}\nstatic_routes {\n  10.1.0.0/16 dev eth7\n}\nstatic_rules {\n  iif eth6 table main priority 5\n}\n` +
    `garp_group {\n  garp_interval 1\n  interfaces {\n    eth0\n    eth5\n  }\n}\nlinkbeat_interfaces {\n  eth4\n}\ninterface_up_down_delays {\n  eth3 1 2\n}\n` +
    instance('', 'VI_1', 1) +
    instance('', 'VI_2', 2);
  assert.deepEqual(problems(text), [
    '7: vrrp_sync_group G track_interface: interface eth9 does not exist (see dynamic_interfaces)',
    '11: static_ipaddress 10.0.0.1/24: interface eth8 does not exist (see dynamic_interfaces)',
    '14: static_routes 10.1.0.0/16: interface eth7 does not exist (see dynamic_interfaces)',
    '17: static_rules iif: interface eth6 does not exist (see dynamic_interfaces)',
    '19: garp_group: interface eth5 does not exist (see dynamic_interfaces)',
    '27: linkbeat_interfaces: interface eth4 does not exist (see dynamic_interfaces)',
    '30: interface_up_down_delays: interface eth3 does not exist (see dynamic_interfaces)',
  ]);
  // dynamic_interfaces: keepalived waits for interfaces that do not exist yet.
  assert.deepEqual(problems(`global_defs {\n  dynamic_interfaces\n}\n${text}`), []);
});

test('interfaces: a static address without dev goes on default_interface (eth0 unless set), which must exist', () => {
  const statics = 'static_ipaddress {\n  10.0.0.1/24\n}\n';
  assert.deepEqual(problems(statics), []);
  assert.deepEqual(problems(`global_defs {\n  default_interface eth1\n}\n${statics}`), []);
  assert.deepEqual(problems(`global_defs {\n  default_interface nosuch0\n}\n${statics}`), [
    '5: static_ipaddress 10.0.0.1/24 (no dev: global_defs default_interface): interface nosuch0 does not exist (see dynamic_interfaces)',
  ]);
  assert.deepEqual(problems(statics, host({ interfaces: [link('lo', ARPHRD_LOOPBACK, 0x9), link('ens3')] })), [
    '2: static_ipaddress 10.0.0.1/24 (no dev: global_defs default_interface): interface eth0 does not exist (see dynamic_interfaces)',
  ]);
});

test('interfaces: loopback, no multicast without unicast peers, use_vmac on a non-Ethernet interface, a use_vmac name taken', () => {
  const h = host({
    interfaces: [link('lo', ARPHRD_LOOPBACK, 0x9), link('eth0'), link('nomc0', ARPHRD_ETHER, 0x1), link('tun0', 65534), link('veth9'), link('vrrp.9', ARPHRD_ETHER, UP, ['eth0'])],
  });
  const on = (ifname: string, extra = ''): string => instance(extra).replace('interface eth0', `interface ${ifname}`);
  assert.deepEqual(problems(on('lo'), h), ['1: vrrp_instance VI_1: cannot use the loopback interface lo for VRRP']);
  assert.deepEqual(problems(`global_defs {\n  dynamic_interfaces\n}\n${on('lo')}`, h), ['4: vrrp_instance VI_1: cannot use the loopback interface lo for VRRP']);
  assert.deepEqual(problems(on('nomc0'), h), ['1: vrrp_instance VI_1: interface nomc0 does not support multicast - give unicast_peer']);
  assert.deepEqual(problems(on('nomc0', '  unicast_peer {\n    192.0.2.9\n  }'), h), []);
  assert.deepEqual(problems(on('tun0'), h), []);
  assert.deepEqual(problems(on('tun0', '  use_vmac'), h), ['1: vrrp_instance VI_1: use_vmac needs an Ethernet interface and tun0 is not one']);
  assert.deepEqual(problems(on('eth0', '  use_vmac veth9'), h), ['1: vrrp_instance VI_1: use_vmac veth9: an interface of that name exists and is not a macvlan']);
  assert.deepEqual(problems(on('eth0', '  use_vmac vrrp.9'), h), []);
  // Loopback is fine for what keepalived does not run VRRP on.
  assert.deepEqual(problems(instance('  track_interface {\n    lo\n  }').replace('192.0.2.1', '192.0.2.1 dev lo'), h), []);
});

test('interfaces: nothing is said when the host interfaces cannot be read', () => {
  const h = { ...host(), interfaces: undefined };
  assert.deepEqual(problems(instance('').replace('interface eth0', 'interface eth9'), h), []);
});

test('iproute2 names: tables, protocols, scopes, realms, tos and interface groups of routes, rules and addresses', () => {
  const h = host({
    names: {
      '/etc/iproute2/rt_tables': '255\tlocal\n254\tmain\n100 vigil\n',
      '/etc/iproute2/rt_tables.d/extra.conf': '200 fromdir\n',
      '/etc/iproute2/rt_dsfield': '0x28 AF11\n',
      '/etc/iproute2/rt_realms': '0 cosmos\n7 seven\n',
      '/etc/iproute2/group': '0 default\n',
    },
  });
  const routes = (lines: string): string => instance(`  virtual_routes {\n${lines}\n  }`);
  const good = routes(
    '    10.1.0.0/16 dev eth0 table vigil protocol bird scope link realms cosmos/seven tos AF11\n' +
      '    10.2.0.0/16 dev eth0 table fromdir protocol 18 scope 200 realms 3\n    10.3.0.0/16 dev eth0 table 0x64\n    10.4.0.0/16 dev eth0 table 4294967295',
  );
  assert.deepEqual(problems(good, h), []);
  const bad = routes(
    '    10.1.0.0/16 dev eth0 table nosuch\n    10.2.0.0/16 dev eth0 protocol nosuch\n    10.3.0.0/16 dev eth0 scope universe\n' +
      '    10.4.0.0/16 dev eth0 realms cosmos/nosuch\n    10.5.0.0/16 dev eth0 tos lowdelay\n    10.6.0.0/16 dev eth0 table 4294967296',
  );
  assert.deepEqual(problems(bad, h), [
    "8: vrrp_instance VI_1: virtual_routes 10.1.0.0/16: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf",
    "9: vrrp_instance VI_1: virtual_routes 10.2.0.0/16: protocol 'nosuch' is not a number or a name in /etc/iproute2/rt_protos or rt_protos.d/*.conf",
    "10: vrrp_instance VI_1: virtual_routes 10.3.0.0/16: scope 'universe' is not a number or a name in /etc/iproute2/rt_scopes or rt_scopes.d/*.conf",
    "11: vrrp_instance VI_1: virtual_routes 10.4.0.0/16: realm 'nosuch' is not a number or a name in /etc/iproute2/rt_realms or rt_realms.d/*.conf",
    "12: vrrp_instance VI_1: virtual_routes 10.5.0.0/16: tos 'lowdelay' is not a number or a name in /etc/iproute2/rt_dsfield or rt_dsfield.d/*.conf",
    "13: vrrp_instance VI_1: virtual_routes 10.6.0.0/16: routing table '4294967296' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf",
  ]);
  const rules = instance('  virtual_rules {\n    from 10.1.0.0/16 lookup vigil tos AF11 realms seven suppress_ifgroup default priority 5\n    from 10.2.0.0/16 table nosuch suppress_ifgroup nosuch priority 6\n  }');
  assert.deepEqual(problems(rules, h), [
    "9: vrrp_instance VI_1: virtual_rules: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf",
    "9: vrrp_instance VI_1: virtual_rules: interface group 'nosuch' is not a number or a name in /etc/iproute2/group or group.d/*.conf",
  ]);
  const statics = 'static_ipaddress {\n  10.0.0.1/24 dev eth0 scope universe\n}\nstatic_routes {\n  10.1.0.0/16 dev eth0 table nosuch\n}\n';
  assert.deepEqual(problems(statics, h), [
    "2: static_ipaddress 10.0.0.1/24: scope 'universe' is not a number or a name in /etc/iproute2/rt_scopes or rt_scopes.d/*.conf",
    "5: static_routes 10.1.0.0/16: routing table 'nosuch' is not a number or a name in /etc/iproute2/rt_tables or rt_tables.d/*.conf",
  ]);
});

test('script users: script_user, a vrrp_script or MISC_CHECK user (errors), a notify script user (warning)', () => {
  const h = host({ users: { root: [0, 0], nobody: [65534, 65534] }, groups: { root: 0, nogroup: 65534 } });
  const scriptUser = problems('global_defs {\n  script_user nosuchuser\n  enable_script_security\n}\n' + instance(''), h);
  assert.deepEqual(scriptUser, ['2: script_user: user nosuchuser does not exist']);
  assert.deepEqual(problems('global_defs {\n  script_user root nosuchgroup\n}\n' + instance(''), h), ['2: script_user: group nosuchgroup does not exist']);
  const vrrpScript = `${SECURE}vrrp_script chk {\n  script /usr/bin/true\n  user nosuchuser\n}\n${instance('  track_script {\n    chk\n  }')}`;
  assert.deepEqual(problems(vrrpScript, h), ['5: vrrp_script chk: user nosuchuser does not exist']);
  const misc = `${SECURE}virtual_server 192.0.2.100 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 192.0.2.101 80 {\n    MISC_CHECK {\n      misc_path /usr/bin/true\n      user root nosuchgroup\n    }\n  }\n}\n`;
  assert.deepEqual(problems(misc, h), ['10: real_server 192.0.2.101 80: MISC_CHECK: group nosuchgroup does not exist']);
  const notify = `${SECURE}${instance('  notify_master "/usr/bin/true" nosuchuser')}`;
  assert.deepEqual(problems(notify, h), ['11: warning: vrrp_instance VI_1: notify_master: user nosuchuser does not exist - keepalived ignores this script']);
});

test('script users: with enable_script_security and no script_user, the default user keepalived_script must exist', () => {
  const scripts = `global_defs {\n  enable_script_security\n  notify_fifo /run/vigil.fifo\n}\n${instance('  notify_master /usr/bin/true')}`;
  assert.deepEqual(problems(scripts), [
    '3: notify_fifo: no script_user, no user keepalived_script on this host, and enable_script_security will not run scripts as root - set script_user',
  ]);
  assert.deepEqual(problems(scripts, host({ users: { root: [0, 0], keepalived_script: [990, 990] } })), []);
  // Without enable_script_security keepalived falls back to root (and config test warns of the SECURITY VIOLATION).
  assert.deepEqual(problems(scripts.replace('  enable_script_security\n', '')), []);
});

test('script files: a vrrp_script missing or insecure is an error; a notify script is a warning; a bare name goes through $PATH', () => {
  const h = host({
    files: {
      '/srv': dir(0o777),
      '/srv/check.sh': file(),
      '/tmp': dir(0o1777),
      '/tmp/check.sh': file(),
      '/etc/keepalived/open.sh': file(0o777),
      '/etc/keepalived/mine.sh': file(0o755, 1000),
      '/etc/keepalived/plain.txt': file(0o644),
      '/usr/local/bin': dir(),
    },
    links: { '/etc/keepalived/link.sh': '/etc/keepalived/open.sh' },
  });
  const track = (script: string): string => `${SECURE}vrrp_script chk {\n  script "${script}"\n}\n${instance('  track_script {\n    chk\n  }')}`;
  assert.deepEqual(problems(track('/usr/bin/true --quiet'), h), []);
  assert.deepEqual(problems(track('true'), h), []);
  assert.deepEqual(problems(track('</etc/nothing'), h), []);
  assert.deepEqual(problems(track('/tmp/check.sh'), h), [], 'a sticky directory is safe');
  assert.deepEqual(problems(track('/etc/keepalived/none.sh'), h), ['5: vrrp_script chk: /etc/keepalived/none.sh not found']);
  assert.deepEqual(problems(track('nosuchcommand'), h), ['5: vrrp_script chk: nosuchcommand not found in $PATH']);
  assert.deepEqual(problems(track('/srv/check.sh'), h), ['5: vrrp_script chk: /srv/check.sh is insecure: /srv can be changed by a user other than root (enable_script_security refuses that)']);
  assert.deepEqual(problems(track('/etc/keepalived/open.sh'), h), ['5: vrrp_script chk: /etc/keepalived/open.sh can be changed by a user other than root (enable_script_security refuses that)']);
  assert.deepEqual(problems(track('/etc/keepalived/mine.sh'), h), ['5: vrrp_script chk: /etc/keepalived/mine.sh can be changed by a user other than root (enable_script_security refuses that)']);
  assert.deepEqual(problems(track('/etc/keepalived/link.sh'), h), [
    '5: vrrp_script chk: /etc/keepalived/link.sh is insecure: /etc/keepalived/open.sh can be changed by a user other than root (enable_script_security refuses that)',
  ]);
  assert.deepEqual(problems(track('/etc/keepalived/plain.txt'), h), ['5: warning: vrrp_script chk: /etc/keepalived/plain.txt is not executable by uid 0 - keepalived disables this script']);
  // Without enable_script_security an insecure path is not refused (the SECURITY VIOLATION warning covers it).
  assert.deepEqual(problems(track('/srv/check.sh').replace('  enable_script_security\n', ''), h), []);
  // keepalived checks vrrp_scripts only where there are VRRP instances.
  assert.deepEqual(problems(`${SECURE}vrrp_script chk {\n  script /etc/keepalived/none.sh\n}\n`, h), []);
  const notify = `${SECURE}${instance('  notify_master /etc/keepalived/none.sh\n  notify_backup /srv/check.sh')}`;
  assert.deepEqual(problems(notify, h), [
    '11: warning: vrrp_instance VI_1: notify_master: /etc/keepalived/none.sh not found - keepalived disables this script',
    '12: warning: vrrp_instance VI_1: notify_backup: /srv/check.sh is insecure: /srv can be changed by a user other than root (enable_script_security refuses that) - keepalived disables this script',
  ]);
});

test('script files: the program of a command line, and a script run as a non-root user is executable by its owner only', () => {
  assert.equal(programOf('"/opt/my dir/x.sh" arg'), '/opt/my dir/x.sh');
  assert.equal(programOf("'/a b'/c d"), '/a b/c');
  assert.equal(programOf('/a\\ b c'), '/a b');
  assert.equal(programOf('  /bin/true  '), '/bin/true');
  const h = host({ files: { '/opt': dir(), '/opt/x.sh': file(0o700, 0) } });
  assert.deepEqual(scriptStatus('/opt/x.sh', { uid: 0, gid: 0 }, true, h), { kind: 'ok' });
  assert.deepEqual(scriptStatus('/opt/x.sh', { uid: 1000, gid: 1000 }, true, h), { kind: 'not executable', path: '/opt/x.sh' });
});

test('positions: problems name the file and line they were read from (an instance interface: the block)', () => {
  const parsed = parse(instance('').replace('interface eth0', 'interface eth9'));
  const r = checkHost(parsed.config, host());
  assert.deepEqual(r.errors.map((e) => [e.file, e.line]), [[MAIN, 1]]);
});

test('host facts read from files: /sys/class/net (type, flags, lower devices), passwd, group, iproute2', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-host-facts-'));
  try {
    const net = join(root, 'net');
    for (const [name, type, flags, lower] of [['eth0', '1', '0x1003', ''], ['lo', '772', '0x9', ''], ['vrrp.5', '1', '0x1003', 'eth0']] as const) {
      mkdirSync(join(net, name), { recursive: true });
      writeFileSync(join(net, name, 'type'), `${type}\n`);
      writeFileSync(join(net, name, 'flags'), `${flags}\n`);
      if (lower !== '') symlinkSync('../eth0', join(net, name, `lower_${lower}`));
    }
    writeFileSync(join(root, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nkeepalived_script:x:990:991::/:/usr/sbin/nologin\n');
    writeFileSync(join(root, 'group'), 'root:x:0:\nkeepalived_script:x:991:\n');
    mkdirSync(join(root, 'iproute2/rt_tables.d'), { recursive: true });
    writeFileSync(join(root, 'iproute2/rt_tables'), '254 main\n');
    writeFileSync(join(root, 'iproute2/rt_tables.d/web.conf'), '100 web\n');
    const h = readHostFacts({ sysClassNet: net, passwd: join(root, 'passwd'), groupFile: join(root, 'group'), iproute2Dir: join(root, 'iproute2'), path: '/usr/bin' });
    assert.deepEqual([...(h.interfaces?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name)), [
      { name: 'eth0', type: 1, flags: 0x1003, lower: [] },
      { name: 'lo', type: 772, flags: 0x9, lower: [] },
      { name: 'vrrp.5', type: 1, flags: 0x1003, lower: ['eth0'] },
    ]);
    assert.deepEqual([h.user('keepalived_script'), h.user('nobody'), h.group('keepalived_script'), h.group('nogroup')], [{ uid: 990, gid: 991 }, undefined, 991, undefined]);
    assert.deepEqual([h.names.resolve('table', 'web'), h.names.resolve('table', 'main'), h.names.resolve('table', 'nosuch')], [100, 254, undefined]);
    assert.deepEqual(h.searchPath, ['/usr/bin']);
    assert.equal(h.stat(join(root, 'passwd'))?.kind, 'file');
    assert.equal(h.lstat(join(net, 'vrrp.5', 'lower_eth0'))?.kind, 'symlink');
    assert.equal(h.realpath(join(net, 'vrrp.5', 'lower_eth0')), join(net, 'eth0'));
    assert.equal(readHostFacts({ sysClassNet: join(root, 'none') }).interfaces, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
