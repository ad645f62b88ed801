/**
 * keepalived's own sample configurations (../shared/keepalived-samples, beside the project; absent from a user's
 * clone, and then skipped with a message): each parses without error, and selected values of each are asserted.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Config, HttpChecker } from '../../config/model.js';
import { parseConfigFile } from '../../config/parse.js';
import { errorsOf, positionless, samplesDir } from './helpers.js';

const dir = samplesDir();
const SKIP = 'keepalived samples not found (../shared/keepalived-samples); set VIGIL_KEEPALIVED_SAMPLES to run these';

const vi = (c: Config, name: string) => c.vrrpInstances.find((v) => v.name === name)!;
const http = (c: Config, vs: number, rs = 0, k = 0) => c.virtualServers[vs]!.realServers[rs]!.checkers[k] as HttpChecker;

/** Per sample: what must hold of its parsed configuration. */
const CHECKS: Readonly<Record<string, (c: Config) => void>> = {
  'keepalived.conf.HTTP_GET.port': (c) => {
    assert.equal(c.globalDefs.routerId, 'LVS_DEVEL');
    assert.deepEqual(c.globalDefs.notificationEmail, ['acassen']);
    assert.deepEqual(c.globalDefs.smtpServer, { host: '192.168.200.1', port: 25 });
    const h = http(c, 0);
    assert.deepEqual([h.type, h.connectPort, h.connectTimeout, h.retry, h.delayBeforeRetry], ['SSL_GET', 444, 3, 3, 3]);
    assert.equal(h.urls[0]!.digest, 'ff20ad2481f97b1754ef3e12ecd3a9cc');
  },
  'keepalived.conf.IPv6': (c) => {
    assert.deepEqual(c.virtualServerGroups[0]!.entries, [
      { kind: 'address', family: 6, ip: 'ae00::2', rangeEnd: 'ae00::9', port: 80 },
      { kind: 'address', family: 6, ip: 'ae00::1', port: 80 },
    ]);
    const vs = c.virtualServers[0]!;
    assert.deepEqual([vs.address, vs.family, vs.persistenceTimeout], [{ kind: 'ip', ip: 'ae00::1', port: 80, family: 6 }, 6, 50]);
    const smtp = vs.realServers[0]!.checkers[0]!;
    assert.equal(smtp.type, 'SMTP_CHECK');
    assert.deepEqual(smtp.type === 'SMTP_CHECK' && [smtp.heloName, smtp.retry, smtp.connectTimeout], ['foo.bar.com', 3, 3]);
    assert.equal(vs.realServers[0]!.port, 25);
  },
  'keepalived.conf.SSL_GET': (c) => {
    const v = vi(c, 'VI_1');
    assert.deepEqual(v.authentication, { type: 'AH', password: '1111' });
    // keepalived: initial state MASTER is incompatible with AH authentication for a non-owner.
    assert.equal(v.state, 'BACKUP');
    assert.deepEqual(c.virtualServers.map((s) => s.address.kind === 'ip' && s.address.port), [443, 80]);
    assert.deepEqual(http(c, 0).urls.map((u) => u.path), ['/', '/mrtg/']);
    assert.equal(http(c, 1).type, 'HTTP_GET');
  },
  'keepalived.conf.inhibit': (c) => {
    const rs = c.virtualServers[0]!.realServers[0]!;
    assert.deepEqual([rs.ip, rs.port, rs.inhibitOnFailure], ['192.168.200.2', 1358, true]);
    assert.equal(http(c, 0).urls[0]!.path, '/testurl3/test.jsp');
  },
  'keepalived.conf.misc_check': (c) => {
    const m = c.virtualServers[0]!.realServers[0]!.checkers[0]!;
    assert.deepEqual(m.type === 'MISC_CHECK' && [m.miscPath, m.miscDynamic, m.retry], ['/usr/local/bin/script.sh', false, 0]);
  },
  'keepalived.conf.quorum': (c) => {
    const vs = c.virtualServers[0]!;
    assert.deepEqual([vs.lbAlgo, vs.alpha, vs.omega, vs.quorum, vs.hysteresis, vs.persistenceTimeout], ['wrr', true, true, 7, 2, 900]);
    assert.deepEqual([vs.quorumUp?.command, vs.quorumDown?.command], ['/usr/local/sbin/quorum-up.sh', '/usr/local/sbin/quorum-down.sh']);
    assert.equal(vs.realServers.length, 10);
    assert.deepEqual(vs.realServers.map((r) => r.checkers[0]!.type === 'TCP_CHECK' && r.checkers[0]!.connectPort), new Array(10).fill(80));
  },
  'keepalived.conf.sample': (c) => {
    const v = vi(c, 'VI_1');
    assert.deepEqual([v.state, v.priority, v.nopreempt, v.virtualRouterId, v.virtualIpAddresses.length], ['BACKUP', 100, true, 50, 3]);
    assert.deepEqual(c.virtualServers[0]!.sorryServer, { ip: '192.168.200.200', port: 1358, family: 4, forwarding: { method: 'NAT' }, inhibit: false });
  },
  'keepalived.conf.track_interface': (c) => {
    const v = vi(c, 'VI_1');
    assert.equal(v.interface, 'eth0.1');
    assert.deepEqual(v.trackInterfaces.map((t) => t.name), ['eth0', 'eth1']);
    assert.deepEqual(v.virtualIpAddresses.map((a) => a.dev), [undefined, 'eth1', 'eth2']);
    assert.deepEqual(v.virtualRoutes.map((r) => [r.destination, r.via, r.dev]), [
      ['192.168.110.0', '192.168.200.254', 'eth1'],
      ['192.168.111.0', undefined, 'eth2'],
      ['192.168.112.0', '192.168.100.254', undefined],
    ]);
    assert.equal(c.staticRoutes.length, 4);
  },
  'keepalived.conf.virtualhost': (c) => {
    assert.equal(c.virtualServers[0]!.virtualhost, 'www.firewall.loc');
    assert.equal(http(c, 0).virtualhost, 'www.firewall.loc');
  },
  'keepalived.conf.vrrp': (c) => {
    assert.deepEqual(c.vrrpInstances.map((v) => [v.name, v.state, v.priority, v.virtualRouterId, v.interface]), [
      ['VI_1', 'MASTER', 100, 51, 'eth0'],
      ['VI_2', 'BACKUP', 50, 50, 'eth0'],
      ['VI_3', 'MASTER', 100, 52, 'eth1'],
      ['VI_4', 'BACKUP', 50, 53, 'eth1'],
    ]);
    const v1 = vi(c, 'VI_1');
    assert.deepEqual([v1.garpMasterDelay, v1.smtpAlert, v1.authentication], [10, true, { type: 'PASS', password: '1111' }]);
    assert.deepEqual(v1.virtualIpAddresses.map((a) => a.label), [undefined, undefined, undefined, 'eth0:1']);
  },
  'keepalived.conf.vrrp.localcheck': (c) => {
    assert.deepEqual(c.vrrpScripts.map((s) => [s.name, s.interval, s.weight, s.rise, s.fall]), [
      ['chk_sshd', 2, -4, 2, 2],
      ['chk_haproxy', 2, 0, 1, 1],
      ['chk_http_port', 1, -2, 1, 1],
      ['chk_https_port', 1, -2, 1, 1],
      ['chk_smtp_port', 1, -2, 1, 1],
    ]);
    assert.equal(c.vrrpScripts[2]!.script, '</dev/tcp/127.0.0.1/80');
    const v = vi(c, 'VI_1');
    assert.deepEqual(v.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 2], ['eth2', -2], ['eth3', 0]]);
    assert.deepEqual(v.trackScripts.map((t) => [t.name, t.weight]), [['chk_sshd', -4], ['chk_haproxy', 2], ['chk_http_port', -2], ['chk_https_port', -2], ['chk_smtp_port', -2]]);
    assert.equal(c.vrrpInstances.length, 9);
    assert.deepEqual(positionless(v.virtualIpAddresses[0]), { address: '192.168.200.18', prefix: 25, family: 4, home: false, nodad: false, mngtmpaddr: false, noprefixroute: false, autojoin: false, noTrack: false, useVmac: false });
  },
  'keepalived.conf.vrrp.routes': (c) => {
    assert.deepEqual(c.staticRoutes[0]!.src, '192.168.100.1');
    assert.deepEqual(c.staticRoutes.map((r) => r.scope), [undefined, undefined, undefined, 'site', 'link']);
    const routes = vi(c, 'VI_1').virtualRoutes;
    assert.equal(routes.length, 7);
    // `via A or B` is two next hops, A and B (keepalived moves the via into the first).
    assert.deepEqual(routes[4]!.nexthops, [
      { via: '192.168.100.252', onlink: false },
      { via: '192.168.100.253', onlink: false },
    ]);
    assert.equal(routes[4]!.via, undefined);
    assert.deepEqual([routes[5]!.type, routes[5]!.destination, routes[5]!.prefix], ['blackhole', '192.168.113.1', 32]);
    assert.deepEqual([routes[6]!.destination, routes[6]!.via, routes[6]!.table], ['0.0.0.0', '192.168.0.1', '100']);
  },
  'keepalived.conf.vrrp.rules': (c) => {
    // "to 192.168.100./24" is not an address: keepalived skips the rule, vigil warns and skips it too.
    assert.deepEqual(c.staticRules.map((r) => [r.from, r.table]), [['192.168.100.0/24', '1']]);
    assert.deepEqual(vi(c, 'VI_1').virtualRules.map((r) => [r.from, r.table]), [['192.168.200.0/24', '2']]);
  },
  'keepalived.conf.vrrp.scripts': (c) => {
    const g = c.vrrpSyncGroups[0]!;
    assert.deepEqual([g.name, g.group, g.notifyMaster?.command], ['G1', ['VI_2', 'VI_3'], '/usr/local/bin/vrrp.mast arg1 arg2']);
    assert.equal(vi(c, 'VI_1').notifyFault?.command, '/usr/local/bin/vrrp.sh  FAULT  VI_1');
    assert.deepEqual([vi(c, 'VI_2').priority, vi(c, 'VI_2').virtualIpAddresses[0]!.prefix], [150, 27]);
  },
  'keepalived.conf.vrrp.sync': (c) => {
    assert.deepEqual(c.vrrpSyncGroups.map((g) => [g.name, g.group.length]), [['G1', 7], ['G2', 2]]);
    assert.deepEqual(c.vrrpInstances.map((v) => v.virtualRouterId), [51, 52, 53, 54, 55, 56, 57, 58, 59]);
  },
};

test('keepalived samples: every file parses without error and has the asserted values', async (t) => {
  if (!dir) {
    t.skip(SKIP);
    console.log(`# skipped: ${SKIP}`);
    return;
  }
  const files = readdirSync(dir).filter((f) => existsSync(join(dir, f))).sort();
  assert.ok(files.length > 0);
  for (const file of files) {
    await t.test(file, () => {
      const r = parseConfigFile(join(dir, file));
      assert.deepEqual(errorsOf(r), [], file);
      const check = CHECKS[file];
      assert.ok(check, `no assertions for sample ${file}: add them to CHECKS`);
      check(r.config);
    });
  }
  // Every sample with a check was seen (catches a renamed corpus).
  for (const name of Object.keys(CHECKS)) assert.ok(files.includes(name), `sample ${name} missing`);
});
