/**
 * keepalived's defaults and inheritance (checker ← real_server ← virtual_server), applied once by
 * config/finalize-lvs.ts, and their conversion to what runs (actors/checks/resolve-checkers.ts): from
 * keepalived.conf text, the way the daemon and the simulator read it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandGroupEntry } from '../../actors/checks/resolve-checkers.js';
import { virtualServersOf } from './lvs-config.js';

/**
 * virtual_server 10.0.0.1 80 (protocol TCP; lb_algo, lb_kind and the timers left to their defaults) with one
 * real server 10.0.0.2:8080 holding `checker`; `vsLines` and `rsLines` go into the two blocks.
 */
function one(checker: string, vsLines: readonly string[] = [], rsLines: readonly string[] = [], before = '') {
  const [vs] = virtualServersOf(
    `${before}\nvirtual_server 10.0.0.1 80 {\nprotocol TCP\n${vsLines.join('\n')}\nreal_server 10.0.0.2 8080 {\n${rsLines.join('\n')}\n${checker}\n}\n}\n`,
  );
  return { vs: vs!, rs: vs!.realServers[0]!, checkers: vs!.realServers[0]!.checkers };
}

test('TCP_CHECK defaults: delay_loop 60, retry 1, delay_before_retry 1, connect_timeout 5, warmup = delay_loop', () => {
  const { checkers, rs, vs } = one('TCP_CHECK {\n}');
  const c = checkers[0]!;
  assert.deepEqual(c.params, {
    delayLoopMs: 60_000,
    timeoutMs: 5000,
    retry: 1,
    delayBeforeRetryMs: 1000,
    delayWhileDownMs: 60_000,
    alpha: false,
    fromStart: false,
  });
  assert.equal(c.warmupMs, 60_000);
  assert.deepEqual(c.probe, { kind: 'tcp', target: { host: '10.0.0.2', port: 8080 }, timeoutMs: 5000 });
  assert.equal(rs.weight, 1);
  assert.equal(rs.forwarding, 'NAT');
  assert.equal(vs.services[0]!.scheduler, 'wlc');
  assert.equal(vs.quorum, 1);
  assert.equal(vs.hysteresis, 0);
});

test('inheritance: the checker wins over the real server, which wins over the virtual server', () => {
  const { checkers } = one(
    'TCP_CHECK {\nretry 7\nconnect_timeout 2\n}',
    ['delay_loop 10', 'retry 3', 'delay_before_retry 4', 'alpha', 'connect_timeout 9'],
    ['retry 5', 'delay_loop 6', 'warmup 2'],
  );
  const c = checkers[0]!;
  assert.equal(c.params.retry, 7);
  assert.equal(c.params.delayLoopMs, 6000);
  assert.equal(c.params.delayBeforeRetryMs, 4000);
  assert.equal(c.params.alpha, true);
  assert.equal(c.params.timeoutMs, 2000);
  assert.equal(c.warmupMs, 2000);
});

test('per-kind defaults: HTTP_GET delay_before_retry 3 and max(dbr, delay_loop) while down; DNS retry 3; MISC retry 0 from start', () => {
  const digest = 'ABCDEF0123456789ABCDEF0123456789';
  const http = one(`HTTP_GET {\nurl {\npath /a\n}\nurl {\npath /b\nstatus_code 200 300-399\ndigest ${digest}\n}\n}`, ['delay_loop 2']).checkers[0]!;
  assert.equal(http.params.delayBeforeRetryMs, 3000);
  assert.equal(http.params.delayWhileDownMs, 3000);
  assert.equal(http.params.timeoutMs, 10_000, 'connect_timeout for each of the two urls');
  assert.ok(http.probe.kind === 'http');
  assert.deepEqual(http.probe.urls[1], { path: '/b', digest: digest.toLowerCase(), statusCodes: [[200, 200], [300, 399]], host: '10.0.0.2:8080' });
  assert.equal(http.probe.tls, false);
  assert.equal(http.probe.httpProtocol, '1.0');

  const dns = one('DNS_CHECK {\n}', ['delay_loop 7']).checkers[0]!;
  assert.equal(dns.params.retry, 3);
  assert.equal(dns.params.delayBeforeRetryMs, 7000);
  assert.ok(dns.probe.kind === 'dns');
  assert.equal(dns.probe.type, 6);
  assert.equal(dns.probe.name, '.');

  const misc = one(`MISC_CHECK {\nmisc_path "/bin/check 'a b' c"\n}`, ['delay_loop 8']).checkers[0]!;
  assert.equal(misc.params.retry, 0);
  assert.equal(misc.params.fromStart, true);
  assert.equal(misc.params.timeoutMs, 8000);
  assert.ok(misc.probe.kind === 'misc');
  assert.deepEqual(misc.probe.argv, ['/bin/check', 'a b', 'c']);
});

test("misc_timeout defaults to the virtual server's delay_loop, not the checker's (keepalived check_misc.c), and 0 means the default", () => {
  const misc = one('MISC_CHECK {\nmisc_path /bin/check\ndelay_loop 3\n}', ['delay_loop 8']).checkers[0]!;
  assert.equal(misc.params.delayLoopMs, 3000);
  assert.equal(misc.params.timeoutMs, 8000);
  assert.equal(one('MISC_CHECK {\nmisc_path /bin/check\nmisc_timeout 0\n}', ['delay_loop 9']).checkers[0]!.params.timeoutMs, 9000);
  assert.equal(one('MISC_CHECK {\nmisc_path /bin/check\nmisc_timeout 2\n}', ['delay_loop 9']).checkers[0]!.params.timeoutMs, 2000);
});

test('HTTP Host header: url virtualhost, then checker, real server, virtual server, else address:port ([v6]:port)', () => {
  const pick = (checker: string, vsLines: string[], rsLines: string[]) => {
    const c = one(checker, vsLines, rsLines).checkers[0]!;
    return c.probe.kind === 'http' ? c.probe.urls[0]!.host : '';
  };
  const get = (...extra: string[]): string => `HTTP_GET {\nurl {\npath /\n}\n${extra.join('\n')}\n}`;
  assert.equal(pick(get(), ['virtualhost vs.example'], []), 'vs.example');
  assert.equal(pick(get(), ['virtualhost vs.example'], ['virtualhost rs.example']), 'rs.example');
  assert.equal(pick(get('virtualhost chk.example'), [], ['virtualhost rs.example']), 'chk.example');
  assert.equal(pick('HTTP_GET {\nurl {\npath /\nvirtualhost url.example\n}\nvirtualhost chk\n}', [], []), 'url.example');
  assert.equal(pick(get('connect_ip fd77::5', 'connect_port 81'), [], []), '[fd77::5]:81');
});

test('SSL_GET: SNI with the inherited virtualhost when enable_sni, and the global SSL block', () => {
  const ssl = 'SSL {\nca /etc/ssl/ca.pem\ncertificate /etc/ssl/c.pem\nkey /etc/ssl/k.pem\npassword pw\n}\n';
  const c = one('SSL_GET {\nurl {\npath /\n}\nenable_sni\n}', ['virtualhost vs.example'], [], ssl).checkers[0]!;
  assert.ok(c.probe.kind === 'http');
  assert.equal(c.probe.tls, true);
  assert.equal(c.probe.servername, 'vs.example');
  assert.deepEqual(c.probe.tlsFiles, { ca: '/etc/ssl/ca.pem', certificate: '/etc/ssl/c.pem', key: '/etc/ssl/k.pem', password: 'pw' });
  const plain = one('SSL_GET {\nurl {\npath /\n}\n}', ['virtualhost vs.example']).checkers[0]!;
  assert.ok(plain.probe.kind === 'http');
  assert.equal(plain.probe.servername, undefined);
});

test('SMTP_CHECK host blocks become checkers of their own; UDP payloads; FILE_CHECK weights', () => {
  const smtp = one('SMTP_CHECK {\nhost {\nconnect_ip 10.0.0.3\nconnect_port 25\n}\nhost {\nconnect_ip 10.0.0.4\nconnect_port 587\n}\n}').checkers;
  assert.equal(smtp.length, 2);
  assert.deepEqual(
    smtp.map((c) => (c.probe.kind === 'smtp' ? `${c.probe.target.host}:${c.probe.target.port} ${c.probe.heloName}` : '')),
    ['10.0.0.3:25 smtpchecker.keepalived.org', '10.0.0.4:587 smtpchecker.keepalived.org'],
  );
  assert.equal(new Set(smtp.map((c) => c.id)).size, 2);

  const udp = one('UDP_CHECK {\npayload dead beef\nrequire_reply de xd\n}').checkers[0]!;
  assert.ok(udp.probe.kind === 'udp');
  assert.deepEqual([...udp.probe.payload], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual([...udp.probe.replyData!], [0xde, 0x0d]);
  assert.deepEqual([...udp.probe.replyMask!], [0x00, 0xf0]);
  assert.equal(udp.probe.requireReply, true);

  const file = one('FILE_CHECK {\ntrack_file f\n}', ['alpha', 'retry 4'], [], 'track_file f {\nfile /run/f\nweight 3 reverse\n}\n').checkers[0]!;
  assert.deepEqual(file.probe, { kind: 'file', path: '/run/f', weight: 3, reverse: true });
  assert.equal(file.params.alpha, false, 'FILE_CHECK knows its state at once: never alpha');
  assert.equal(file.params.retry, 0);
});

test("UDP_CHECK without a payload sends keepalived's 32 bytes (layer4.c set_buf), the same every time", () => {
  const udp = one('UDP_CHECK {\n}').checkers[0]!;
  assert.ok(udp.probe.kind === 'udp');
  assert.equal(Buffer.from(udp.probe.payload).toString('latin1'), 'keepalived check - keepalived ch');
  assert.equal(udp.probe.requireReply, false);
  assert.deepEqual([udp.probe.minReplyLength, udp.probe.maxReplyLength], [0, 255]);
});

test('virtual_server_group ranges', () => {
  assert.deepEqual(expandGroupEntry({ kind: 'address', family: 4, ip: '10.0.0.250', rangeEnd: '10.0.0.252', port: 80 }), [
    { address: '10.0.0.250', port: 80 },
    { address: '10.0.0.251', port: 80 },
    { address: '10.0.0.252', port: 80 },
  ]);
  assert.deepEqual(expandGroupEntry({ kind: 'address', family: 6, ip: 'fd77::a', rangeEnd: 'fd77::b', port: 53 }), [
    { address: 'fd77::a', port: 53 },
    { address: 'fd77::b', port: 53 },
  ]);
  assert.deepEqual(expandGroupEntry({ kind: 'fwmark', fwmark: 5 }), { fwmark: 5 });
  // A range given as two full addresses runs across the octets.
  assert.deepEqual(
    expandGroupEntry({ kind: 'address', family: 4, ip: '10.0.1.254', rangeEnd: '10.0.2.1' }),
    ['10.0.1.254', '10.0.1.255', '10.0.2.0', '10.0.2.1'].map((address) => ({ address, port: 0 })),
  );
});

test('a group of a range and a fwmark: one service each, keyed under the group', () => {
  const [vs] = virtualServersOf(
    'virtual_server_group G {\n10.0.3.8/30 8080\nfwmark 9 inet6\n}\nvirtual_server group G {\nprotocol TCP\nlb_algo rr\nlb_kind DR\nreal_server 10.0.0.2 8080 {\n}\n}\n',
  );
  assert.deepEqual(
    vs!.services.map((s) => `${s.key} ${s.family}`),
    ['group G#10.0.3.8:8080 4', 'group G#10.0.3.9:8080 4', 'group G#10.0.3.10:8080 4', 'group G#10.0.3.11:8080 4', 'group G#FWM 9 6'],
  );
});

test("sorry server defaults to the virtual server's port and forwarding method", () => {
  const { vs } = one('TCP_CHECK {\n}', ['sorry_server 10.0.0.9', 'lb_kind DR']);
  assert.deepEqual(vs.sorryServer, { address: '10.0.0.9', port: 80, weight: 1, forwarding: 'DR' });
});

test('one address and port over TCP and UDP: two virtual servers with distinct keys and checker ids', () => {
  const text = ['TCP', 'UDP'].map((p) => `virtual_server 10.0.0.1 53 {\nprotocol ${p}\nlb_algo rr\nlb_kind NAT\nreal_server 10.0.0.2 53 {\nTCP_CHECK {\n}\n}\n}\n`).join('');
  const resolved = virtualServersOf(text);
  assert.deepEqual(
    resolved.map((v) => `${v.key} ${v.services[0]!.protocol}`),
    ['10.0.0.1:53 tcp', '10.0.0.1:53 (2) udp'],
  );
  const ids = resolved.flatMap((v) => v.realServers.flatMap((r) => r.checkers.map((c) => c.id)));
  assert.equal(new Set(ids).size, 2);
});

test('ha_suspend follows the vrrp_instance whose addresses hold the virtual address; IPv6 granularity is a prefix length', () => {
  const vrrp = 'vrrp_instance VI_6 {\ninterface eth0\nvirtual_router_id 9\nvirtual_ipaddress {\n2001:db8::1/64\n}\n}\n';
  const [vs] = virtualServersOf(
    `${vrrp}virtual_server 2001:db8:0::1 443 {\nprotocol TCP\nlb_algo sh\nlb_kind NAT\nha_suspend\npersistence_granularity 64\nreal_server 2001:db8::10 443 {\n}\n}\n`,
  );
  assert.equal(vs!.vrrpInstance, 'VI_6');
  assert.equal(vs!.haSuspend, true);
  assert.deepEqual([vs!.services[0]!.persistenceGranularity, vs!.services[0]!.persistenceTimeout], [64, 360]);
});

test('bind_if and fwmark reach the probe target (SO_BINDTODEVICE, SO_MARK): each SMTP_CHECK host its own', () => {
  const { checkers } = one('SMTP_CHECK {\nbind_if eth1\nfwmark 7\nhost {\nconnect_ip 10.0.0.9\nbind_if eth2\nfwmark 9\n}\nhost {\nconnect_ip 10.0.0.8\n}\n}');
  const targets = checkers.map((c) => (c.probe.kind === 'smtp' ? [c.probe.target.host, c.probe.target.device, c.probe.target.mark] : []));
  assert.deepEqual(targets, [
    ['10.0.0.9', 'eth2', 9],
    ['10.0.0.8', undefined, undefined],
  ]);
  const [tcp] = one('TCP_CHECK {\nbind_if eth1\nfwmark 7\n}').checkers;
  assert.deepEqual(tcp!.probe.kind === 'tcp' ? tcp!.probe.target : undefined, { host: '10.0.0.2', port: 8080, device: 'eth1', mark: 7 });
});
