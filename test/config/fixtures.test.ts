/** The project's fixtures (test/config/fixtures), covering every block, parse to the asserted values. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KeepalivedConfig } from '../../actors/vrrp/specs-from-config.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import type { Checker, HttpChecker } from '../../config/model.js';
import { parseConfigFile } from '../../config/parse.js';
import { errorsOf, FIXTURES, parserWarningsOf, positionless } from './helpers.js';

const vrrpFull = parseConfigFile(join(FIXTURES, 'vrrp-full.conf'), { configId: 'lb-a' });
const lvsFull = parseConfigFile(join(FIXTURES, 'lvs-full.conf'));

test('the model satisfies the VRRP runtime interface (KeepalivedConfig) and maps to instance specs', () => {
  const runtime: KeepalivedConfig = vrrpFull.config;
  const spec = nodeSpec(runtime);
  assert.equal(spec.instances.length, 3);
  const vi1 = spec.instances.find((i) => i.name === 'VI_1')!;
  assert.equal(vi1.vrid, 51);
  assert.equal(vi1.advertIntervalCs, 50);
  assert.equal(vi1.unicastSourceAddress, '192.0.2.1');
  assert.deepEqual(vi1.unicastPeers, ['192.0.2.2', '192.0.2.3']);
  assert.equal(vi1.oldUnicastChecksum, 'always');
  assert.equal(vi1.garpMasterRepeat, 2);
  // The script's own weight (-20 reverse) is used when the instance gives none; init_fail starts it down.
  assert.deepEqual(vi1.trackers.find((t) => t.id === 'script:chk_haproxy'), { id: 'script:chk_haproxy', weight: -20, reverse: true, up: false });
  assert.equal(spec.instances.find((i) => i.name === 'VI_2')!.authPassword, 'verylong');
  assert.deepEqual(spec.syncGroups, [{ name: 'SG_1', members: ['VI_1', 'VI_2'] }]);
});

test('vrrp-full.conf: no errors, only the expected warnings', () => {
  assert.deepEqual(errorsOf(vrrpFull), []);
  const file = join(FIXTURES, 'vrrp-full.conf');
  assert.deepEqual(
    parserWarningsOf(vrrpFull).map((w) => w.replace(file, 'F')),
    [
      "F:32: 'lvs_process_name' is deprecated - use 'checker_process_name'",
      'F:221: vrrp_instance VI_2: auth_pass is longer than 8 characters - truncated',
      'F:138: vrrp_instance VI_1: nopreempt does not work with initial state MASTER - ignoring nopreempt',
      'F:230: vrrp_instance VI_6: in strict mode state MASTER must match being the address owner (priority 255)',
      // keepalived: "(VI_1) Ignoring track_interface eth1 since own interface".
      "F:169: vrrp_instance VI_1: ignoring track_interface eth1 since it is the instance's own interface (tracked anyway, weight 0)",
      // keepalived tracks a route only through its interface (vrrp_iproute.c).
      'F:42: static_routes 203.0.113.0/24: cannot be tracked with no interface (dev) given - not tracking, as keepalived',
      'F:157: vrrp_instance VI_1: virtual_routes 10.20.0.0/16: cannot be tracked with no interface (dev) given - not tracking, as keepalived',
    ],
  );
});

test('vrrp-full.conf: global_defs and the top-level process keywords', () => {
  const g = vrrpFull.config.globalDefs;
  assert.equal(g.routerId, 'LB_A');
  assert.deepEqual(g.notificationEmail, ['ops@example.com', 'oncall@example.com']);
  assert.deepEqual(g.smtpServer, { host: '192.0.2.25', port: 2525 });
  assert.equal(g.smtpConnectTimeout, 20);
  assert.equal(g.smtpAlertVrrp, true);
  assert.equal(g.vrrpVersion, 3);
  assert.equal(g.vrrpMcastGroup4, '224.0.0.19');
  assert.equal(g.vrrpMcastGroup6, 'ff02::12');
  assert.equal(g.vrrpGarpInterval, 0.001);
  assert.deepEqual(positionless(g.scriptUser), { user: 'keepalived_script', group: 'nogroup' });
  assert.equal(g.enableScriptSecurity, true);
  assert.equal(g.vrrpPriority, -10);
  assert.deepEqual(g.checkerCpuAffinity, [1, 2]);
  assert.deepEqual(positionless(g.lvsSyncDaemon), { interface: 'eth9', instance: 'VI_6', id: 7, maxlen: 1400, port: 8848, ttl: 2, group: '224.0.0.81' });
  assert.deepEqual(positionless(g.lvsTimeouts), { tcp: 900, tcpfin: 120, udp: 300 });
  assert.equal(g.maxAutoPriority, 99);
  assert.equal(g.dynamicInterfaces, 'allow_if_changes');
  assert.equal(g.checkerProcessName, 'lvs_proc');
  assert.equal(g.netNamespace, 'blue');
  assert.equal(g.instance, 'lb-a');
  assert.equal(g.childWaitTime, 9);
  assert.equal(g.defaultInterface, 'eth0');
});

test('vrrp-full.conf: static addresses, routes, rules, track groups, linkbeat, delays, garp groups', () => {
  const c = vrrpFull.config;
  assert.deepEqual(
    c.staticIpAddresses.map((a) => [a.address, a.prefix, a.family, a.dev, a.scope, a.label, a.trackGroup, a.preferredLft]),
    [
      ['192.0.2.10', 24, 4, 'eth1', 'global', 'eth1:st', 'TG1', undefined],
      ['2001:db8::10', 64, 6, 'eth1', undefined, undefined, undefined, 'forever'],
    ],
  );
  assert.deepEqual(
    c.staticRoutes.map((r) => [r.type, `${r.destination}/${r.prefix}`, r.via, r.dev, r.table, r.metric, r.trackGroup]),
    [
      ['unicast', '198.51.100.0/24', '192.0.2.1', 'eth1', '100', 5, 'TG1'],
      ['blackhole', '203.0.113.0/24', undefined, undefined, undefined, undefined, undefined],
      ['unicast', '0.0.0.0/0', '192.0.2.254', 'eth1', undefined, undefined, undefined],
    ],
  );
  assert.deepEqual(
    c.staticRules.map((r) => [r.family, r.from, r.to, r.table, r.preference]),
    [
      [4, '192.0.2.0/24', undefined, '100', 100],
      [6, undefined, '2001:db8:1::/48', '200', 200],
    ],
  );
  assert.deepEqual(c.trackGroups, [{ name: 'TG1', group: ['VI_1'] }]);
  assert.deepEqual(positionless(c.linkbeatInterfaces), [{ name: 'eth1' }, { name: 'eth2', type: 'ETHTOOL' }]);
  assert.deepEqual(positionless(c.interfaceUpDownDelays), [
    { interface: 'eth1', downDelay: 0.5, upDelay: 2 },
    { interface: 'eth2', downDelay: 1, upDelay: 0 },
  ]);
  assert.equal(c.garpGroups.length, 1);
  assert.deepEqual(c.garpGroups[0]!.interfaces, ['eth1', 'eth2']);
  assert.equal(c.garpGroups[0]!.gnaInterval, 0.02);
});

test('vrrp-full.conf: vrrp_script, track_file, vrrp_track_process, bfd_instance', () => {
  const c = vrrpFull.config;
  const [haproxy, plain] = c.vrrpScripts;
  assert.deepEqual(
    { ...haproxy!, at: undefined },
    { name: 'chk_haproxy', at: undefined, script: '/usr/bin/pgrep -x haproxy', interval: 2, timeout: 5, weight: -20, weightReverse: true, rise: 3, fall: 4, user: 'nobody', group: 'nogroup', initFail: true },
  );
  assert.deepEqual([plain!.script, plain!.interval, plain!.timeout, plain!.weight, plain!.rise, plain!.fall, plain!.initFail], ['/usr/local/bin/check.sh', 1, 1, 0, 1, 1, false]);
  assert.deepEqual(c.trackFiles.map((t) => [t.name, t.file, t.weight, t.initFile]), [['tf_maint', '/run/keepalived/maint', -10, { value: 5, overwrite: true }]]);
  const p = c.trackProcesses[0]!;
  assert.deepEqual([p.process, p.params, p.paramMatch, p.weight, p.quorum, p.quorumMax, p.forkDelay, p.terminateDelay, p.fullCommand], ['nginx', ['-g', 'daemon off;'], 'partial', 15, 2, 4, 0.5, 0.5, true]);
  const b = c.bfdInstances[0]!;
  assert.deepEqual([b.neighborIp, b.sourceIp, b.minRx, b.minTx, b.idleTx, b.multiplier, b.ttl, b.maxHops, b.weight, b.vrrp, b.checker], ['192.0.2.2', '192.0.2.1', 50, 60.5, 1000, 3, 250, 2, 8, true, true]);
});

test('vrrp-full.conf: vrrp_sync_group', () => {
  const g = vrrpFull.config.vrrpSyncGroups[0]!;
  assert.equal(g.name, 'SG_1');
  assert.deepEqual(g.group, ['VI_1', 'VI_2']);
  assert.deepEqual(positionless(g.trackInterfaces), [{ name: 'eth3', weight: 10, reverse: false }]);
  assert.deepEqual(positionless(g.trackScripts), [{ name: 'chk_plain', weight: 0, reverse: false }]);
  assert.deepEqual(positionless(g.notifyMaster), { command: '/usr/local/bin/notify.sh master', user: 'root' });
  assert.deepEqual(positionless(g.notifyBackup), { command: '/usr/local/bin/backup.sh' });
  assert.equal(g.smtpAlert, true);
  assert.equal(g.syncGroupTrackingWeight, true);
});

test('vrrp-full.conf: vrrp_instance VI_1 with every keyword', () => {
  const v = vrrpFull.config.vrrpInstances.find((i) => i.name === 'VI_1')!;
  assert.deepEqual(
    [v.state, v.interface, v.virtualRouterId, v.priority, v.advertInt, v.advertIntervalCs, v.version, v.family, v.nopreempt],
    ['MASTER', 'eth1', 51, 150, 0.5, 50, 3, 4, false],
  );
  assert.deepEqual(
    v.virtualIpAddresses.map((a) => [a.address, a.prefix, a.dev, a.label, a.broadcast, a.scope, a.noTrack, a.useVmac]),
    [
      ['192.0.2.100', 24, 'eth1', 'eth1:vip', '192.0.2.255', 'global', false, false],
      ['192.0.2.101', 32, undefined, undefined, undefined, undefined, false, false],
      ['192.0.2.102', 24, 'eth2', undefined, undefined, undefined, true, true],
    ],
  );
  assert.deepEqual(v.excludedVirtualIpAddresses.map((a) => `${a.address}/${a.prefix}`), ['198.51.100.50/32', '2001:db8::50/64']);
  assert.deepEqual(v.virtualRoutes[0]!.src, '192.0.2.100');
  assert.deepEqual(v.virtualRoutes[1]!.nexthops, [
    { via: '192.0.2.1', dev: 'eth1', weight: 1, onlink: false },
    { via: '192.0.2.3', dev: 'eth2', weight: 2, onlink: false },
  ]);
  assert.deepEqual(v.virtualRules.map((r) => [r.from, r.table, r.preference]), [['10.10.0.0/16', '10', 1000]]);
  assert.equal(v.unicastSrcIp, '192.0.2.1');
  assert.deepEqual(v.unicastPeers, [
    { address: '192.0.2.2', minTtl: 0, maxTtl: 255 },
    { address: '192.0.2.3', minTtl: 250, maxTtl: 255 },
  ]);
  assert.equal(v.unicastTtl, 64);
  assert.equal(v.checkUnicastSrc, true);
  assert.equal(v.mcastDstIp, undefined);
  // eth1 is VI_1's own interface: tracked anyway (weight 0), its track_interface line ignored as keepalived does.
  assert.deepEqual(positionless(v.trackInterfaces), [{ name: 'eth2', weight: -30, reverse: false }]);
  assert.deepEqual(positionless(v.trackScripts), [
    { name: 'chk_haproxy', weight: -20, reverse: true },
    { name: 'chk_plain', weight: 5, reverse: false },
  ]);
  assert.deepEqual(positionless(v.trackFiles), [{ name: 'tf_maint', weight: -10, reverse: false }]);
  assert.deepEqual(positionless(v.trackProcesses), [{ name: 'tp_nginx', weight: 12, reverse: true }]);
  assert.deepEqual(positionless(v.trackBfds), [{ name: 'bfd_peer', weight: 8, reverse: false }]);
  assert.deepEqual(
    [v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh, v.garpMasterRefreshRepeat, v.garpLowerPrioDelay, v.garpLowerPrioRepeat, v.garpExtraIf, v.downTimerAdverts],
    [1, 2, 60, 3, 4, 5, { interval: 30, all: true }, 4],
  );
  assert.deepEqual([v.lowerPrioNoAdvert, v.higherPrioSendAdvert, v.promoteSecondaries, v.dontTrackPrimary, v.trackSrcIp, v.skipCheckAdvAddr, v.debug], [true, true, true, true, true, false, 2]);
  assert.deepEqual(positionless(v.notifyMaster), { command: '/etc/keepalived/master.sh' });
  assert.deepEqual(positionless(v.notifyBackup), { command: '/etc/keepalived/state.sh BACKUP', user: 'keepalived_script' });
  assert.equal(v.notifyDeleted, true);
  assert.deepEqual(positionless(v.notifyMasterRxLowerPri), { command: '/etc/keepalived/rx.sh' });
  assert.equal(v.notifyPriorityChanges, true);
  assert.equal(v.smtpAlert, false);
  assert.equal(v.kernelRxBufSize, 65536);
  assert.equal(v.oldUnicastChecksum, true);
});

test('vrrp-full.conf: VI_2 (vmac, PASS authentication, preempt_delay, globals) and VI_6 (IPv6, strict)', () => {
  const v2 = vrrpFull.config.vrrpInstances.find((i) => i.name === 'VI_2')!;
  assert.deepEqual([v2.state, v2.priority, v2.version, v2.preemptDelaySeconds, v2.accept], ['BACKUP', 100, 2, 30.5, true]);
  assert.deepEqual(v2.useVmac, { interface: 'vrrp.52', mac: '02:00:5e:00:01:34' });
  assert.equal(v2.vmacXmitBase, true);
  assert.deepEqual(v2.authentication, { type: 'PASS', password: 'verylong' });
  // From global_defs: vrrp_mcast_group4, vrrp_garp_*, vrrp_skip_check_adv_addr, vrrp_check_unicast_src, smtp_alert_vrrp.
  assert.deepEqual([v2.mcastDstIp, v2.garpMasterDelay, v2.garpMasterRepeat, v2.garpMasterRefresh, v2.skipCheckAdvAddr, v2.checkUnicastSrc, v2.smtpAlert], ['224.0.0.19', 2, 3, 30, true, true, true]);
  const v6 = vrrpFull.config.vrrpInstances.find((i) => i.name === 'VI_6')!;
  assert.deepEqual([v6.family, v6.version, v6.priority, v6.state, v6.strictMode, v6.accept, v6.nativeIpv6, v6.mcastDstIp], [6, 3, 255, 'MASTER', true, false, true, 'ff02::1:12']);
  assert.deepEqual(v6.virtualIpAddresses.map((a) => a.address), ['fe80::60', '2001:db8::60']);
});

test('lvs-full.conf: no errors or warnings; SSL block and virtual_server_group ranges', () => {
  assert.deepEqual(errorsOf(lvsFull), []);
  assert.deepEqual(parserWarningsOf(lvsFull), []);
  assert.deepEqual(lvsFull.config.ssl, { password: 'secret', ca: '/etc/ssl/ca.pem', certificate: '/etc/ssl/cert.pem', key: '/etc/ssl/key.pem' });
  const g = lvsFull.config.virtualServerGroups[0]!;
  assert.equal(g.name, 'WEB');
  assert.deepEqual(g.entries, [
    { kind: 'address', family: 4, ip: '10.0.0.1', rangeEnd: '10.0.0.10', port: 80 },
    { kind: 'address', family: 4, ip: '10.0.1.250', rangeEnd: '10.0.2.5', port: 443 },
    { kind: 'address', family: 4, ip: '10.0.3.8', rangeEnd: '10.0.3.15', port: 8080 },
    { kind: 'address', family: 4, ip: '10.0.4.1', port: 81 },
    { kind: 'address', family: 6, ip: 'fd00::1', rangeEnd: 'fd00::ff', port: 80 },
    { kind: 'fwmark', fwmark: 7 },
    { kind: 'fwmark', fwmark: 8, family: 4 },
  ]);
});

test('lvs-full.conf: virtual_server by address with every keyword, sorry_server, inheritance to real servers', () => {
  const vs = lvsFull.config.virtualServers[0]!;
  assert.deepEqual(vs.address, { kind: 'ip', ip: '10.0.0.100', port: 80, family: 4 });
  assert.deepEqual(
    [vs.protocol, vs.lbAlgo, vs.forwarding, vs.persistenceTimeout, vs.persistenceGranularity, vs.haSuspend, vs.virtualhost, vs.alpha, vs.omega, vs.quorum, vs.hysteresis],
    ['TCP', 'wrr', { method: 'DR' }, 360, '255.255.255.0', true, 'www.example.com', true, true, 3, 1],
  );
  assert.deepEqual(positionless(vs.quorumUp), { command: '/usr/local/bin/quorum.sh up' });
  assert.deepEqual(vs.sorryServer, { ip: '10.1.0.200', port: 8080, family: 4, forwarding: { method: 'NAT' }, inhibit: true });
  assert.deepEqual([vs.connectTimeout, vs.retry, vs.delayBeforeRetry, vs.warmup, vs.delayLoop, vs.inhibitOnFailure, vs.weight, vs.smtpAlert], [4, 2, 1.5, 0, 10, true, 3, false]);
  assert.deepEqual(vs.schedulerFlags, ['flag-1', 'flag-3']);
  const [rs1, rs2] = vs.realServers;
  assert.deepEqual(
    [rs1!.ip, rs1!.port, rs1!.weight, rs1!.uthreshold, rs1!.lthreshold, rs1!.forwarding, rs1!.inhibitOnFailure, rs1!.alpha, rs1!.connectTimeout, rs1!.delayLoop],
    ['10.1.0.10', 80, 5, 1000, 10, { method: 'DR' }, true, true, 4, 10],
  );
  assert.deepEqual(positionless(rs1!.notifyDown), { command: '/usr/local/bin/down.sh 10.1.0.10' });
  assert.deepEqual([rs2!.weight, rs2!.forwarding], [3, { method: 'TUN', tunnelType: 'gue', tunnelPort: 6080, tunnelChecksum: 'csum' }]);
});

function checker<T extends Checker['type']>(list: readonly Checker[], type: T): Extract<Checker, { type: T }> {
  const c = list.find((x) => x.type === type);
  assert.ok(c, `no ${type}`);
  return c as Extract<Checker, { type: T }>;
}

test('lvs-full.conf: every checker type with its keywords and inherited values', () => {
  const cs = lvsFull.config.virtualServers[0]!.realServers[0]!.checkers;
  assert.deepEqual(cs.map((c) => c.type), ['HTTP_GET', 'TCP_CHECK', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']);
  const http = checker(cs, 'HTTP_GET') as HttpChecker;
  assert.deepEqual([http.connectPort, http.bindTo, http.connectTimeout, http.httpProtocol, http.fastRecovery, http.retry, http.delayBeforeRetry, http.delayLoop, http.alpha, http.virtualhost], [8080, '10.1.0.1', 2, '1.1', true, 2, 1.5, 10, true, 'www.example.com']);
  assert.deepEqual(http.urls[0], { path: '/health', statusCodes: [[200, 200], [301, 302]], virtualhost: 'health.example.com', regex: 'ok|alive', regexNoMatch: true });
  assert.deepEqual(http.urls[1], { path: '/ready', digest: '9b3a0c85a887a256d6939da88aabd8cd', statusCodes: [[200, 299]], regexNoMatch: false });
  assert.equal(checker(cs, 'TCP_CHECK').connectTimeout, 4);
  const misc = checker(cs, 'MISC_CHECK');
  assert.deepEqual([misc.miscPath, misc.miscTimeout, misc.miscDynamic, misc.user], ['/usr/local/bin/check.sh 10.1.0.10', 5, true, 'nobody']);
  const smtp = checker(cs, 'SMTP_CHECK');
  assert.equal(smtp.heloName, 'mail.example.com');
  assert.deepEqual(smtp.hosts, [{ connectIp: '10.1.0.11', connectPort: 25, connectTimeout: 4 }]);
  const dns = checker(cs, 'DNS_CHECK');
  assert.deepEqual([dns.queryType, dns.name], ['A', 'example.com']);
  const udp = checker(cs, 'UDP_CHECK');
  assert.deepEqual([udp.connectPort, udp.payload, udp.requireReply, udp.minReplyLength, udp.maxReplyLength], [53, '0a0b0c', true, 4, 512]);
  assert.equal(checker(cs, 'PING_CHECK').retry, 5);
  const file = checker(cs, 'FILE_CHECK');
  assert.deepEqual([file.trackFile, file.weight], ['rs_weight', 2]);
  assert.equal(checker(cs, 'BFD_CHECK').name, 'rs_bfd');
  const ssl = lvsFull.config.virtualServers[0]!.realServers[1]!.checkers.find((c) => c.type === 'SSL_GET') as HttpChecker;
  assert.deepEqual([ssl.enableSni, ssl.urls[0]!.path], [true, '/']);
});

test('lvs-full.conf: fwmark, group and IPv6 virtual servers', () => {
  const [, fw, group, v6] = lvsFull.config.virtualServers;
  assert.deepEqual([fw!.address, fw!.lbAlgo, fw!.family, fw!.forwarding.method], [{ kind: 'fwmark', fwmark: 7 }, 'sh', 4, 'DR']);
  assert.deepEqual([fw!.realServers[0]!.port, checker(fw!.realServers[0]!.checkers, 'TCP_CHECK').retry], [0, 0]);
  assert.deepEqual([group!.address, group!.protocol, group!.lbAlgo], [{ kind: 'group', group: 'WEB' }, 'UDP', 'lc']);
  assert.deepEqual([v6!.family, v6!.realServers[0]!.ip], [6, '2001:db8::81']);
});

test('defaults.conf: keepalived defaults are filled in', () => {
  const file = join(FIXTURES, 'defaults.conf');
  const r = parseConfigFile(file);
  assert.deepEqual(errorsOf(r), []);
  // keepalived reports the same three: it sets UDP and NAT itself, and would refuse root scripts.
  assert.deepEqual(parserWarningsOf(r), [
    `${file}:16: virtual_server 192.0.2.50:80: no protocol given - using UDP (as keepalived does)`,
    `${file}:16: virtual_server 192.0.2.50:80: no lb_kind given - using NAT`,
    `${file}:26: scripts would run as root without enable_script_security (keepalived -t reports a SECURITY VIOLATION); set enable_script_security or script_user`,
  ]);
  const [d, owner] = r.config.vrrpInstances;
  assert.deepEqual(
    [d!.state, d!.priority, d!.advertInt, d!.version, d!.nopreempt, d!.preemptDelaySeconds, d!.garpMasterDelay, d!.garpMasterRepeat, d!.garpMasterRefresh, d!.accept, d!.mcastDstIp, d!.downTimerAdverts],
    ['BACKUP', 100, 1, 2, false, 0, 5, 5, 0, true, '224.0.0.18', 3],
  );
  // state MASTER without a priority makes the address owner.
  assert.deepEqual([owner!.state, owner!.priority], ['MASTER', 255]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.protocol, vs.lbAlgo, vs.forwarding.method, vs.delayLoop, vs.connectTimeout, vs.weight, vs.quorum, vs.hysteresis], ['UDP', 'rr', 'NAT', 60, 5, 1, 1, 0]);
  const rs = vs.realServers[0]!;
  assert.deepEqual([rs.weight, rs.connectTimeout, rs.delayLoop, rs.forwarding.method], [1, 5, 60, 'NAT']);
  const [http, dns, misc, tcp] = rs.checkers;
  assert.deepEqual([http!.type, (http as HttpChecker).retry, (http as HttpChecker).delayBeforeRetry, (http as HttpChecker).warmup], ['HTTP_GET', 1, 3, 60]);
  assert.deepEqual([dns!.type, checker([dns!], 'DNS_CHECK').retry, checker([dns!], 'DNS_CHECK').delayBeforeRetry, checker([dns!], 'DNS_CHECK').queryType, checker([dns!], 'DNS_CHECK').name], ['DNS_CHECK', 3, 60, 'SOA', '.']);
  assert.deepEqual([misc!.type, checker([misc!], 'MISC_CHECK').retry], ['MISC_CHECK', 0]);
  assert.deepEqual([tcp!.type, checker([tcp!], 'TCP_CHECK').retry, checker([tcp!], 'TCP_CHECK').delayBeforeRetry, checker([tcp!], 'TCP_CHECK').connectTimeout], ['TCP_CHECK', 1, 1, 5]);
});

test('include-main.conf: includes relative to the including file, with globs and braces', () => {
  const r = parseConfigFile(join(FIXTURES, 'include-main.conf'));
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config.globalDefs.routerId, 'INC');
  assert.deepEqual(r.config.vrrpInstances.map((v) => [v.name, v.at.file.endsWith('conf.d/10-vi.conf'), v.at.line]), [['VI_INC', true, 1]]);
  assert.equal(r.config.virtualServers.length, 1);
  assert.deepEqual(r.config.vrrpScripts.map((s) => s.name), ['from_extra', 'from_more']);
  assert.equal(r.files.length, 5);
});
