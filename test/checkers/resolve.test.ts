/** keepalived's defaults and inheritance (checker ← real_server ← virtual_server) when resolving specs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandGroupEntry, resolveVirtualServer } from '../../actors/checks/resolve-checkers.js';
import type { CheckerSpec, VirtualServerSpec } from '../../actors/lvs/virtual-server-spec.js';
import { SeededRandom } from '../../sim/seeded-random.js';

function one(checker: CheckerSpec, vsExtra: Partial<VirtualServerSpec> = {}, rsExtra: object = {}) {
  const vs = resolveVirtualServer(
    {
      target: { kind: 'address', address: '10.0.0.1', port: 80 },
      realServers: [{ address: '10.0.0.2', port: 8080, checkers: [checker], ...rsExtra }],
      ...vsExtra,
    },
    new SeededRandom(1),
  );
  return { vs, rs: vs.realServers[0]!, checkers: vs.realServers[0]!.checkers };
}

test('TCP_CHECK defaults: delay_loop 60, retry 1, delay_before_retry 1, connect_timeout 5, warmup = delay_loop', () => {
  const { checkers, rs, vs } = one({ kind: 'TCP_CHECK' });
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
    { kind: 'TCP_CHECK', retry: 7, connectTimeout: 2 },
    { delayLoop: 10, retry: 3, delayBeforeRetry: 4, alpha: true, connectTimeout: 9 },
    { retry: 5, delayLoop: 6, warmup: 2 },
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
  const http = one({ kind: 'HTTP_GET', url: [{ path: '/a' }, { path: '/b', statusCode: [200, [300, 399]], digest: 'ABC' }] }, { delayLoop: 2 }).checkers[0]!;
  assert.equal(http.params.delayBeforeRetryMs, 3000);
  assert.equal(http.params.delayWhileDownMs, 3000);
  assert.equal(http.params.timeoutMs, 10_000, 'connect_timeout for each of the two urls');
  assert.ok(http.probe.kind === 'http');
  assert.deepEqual(http.probe.urls[1], { path: '/b', digest: 'abc', statusCodes: [[200, 200], [300, 399]], host: '10.0.0.2:8080' });
  assert.equal(http.probe.tls, false);

  const dns = one({ kind: 'DNS_CHECK' }, { delayLoop: 7 }).checkers[0]!;
  assert.equal(dns.params.retry, 3);
  assert.equal(dns.params.delayBeforeRetryMs, 7000);
  assert.ok(dns.probe.kind === 'dns');
  assert.equal(dns.probe.type, 6);
  assert.equal(dns.probe.name, '.');

  const misc = one({ kind: 'MISC_CHECK', miscPath: "/bin/check 'a b' c" }, { delayLoop: 8 }).checkers[0]!;
  assert.equal(misc.params.retry, 0);
  assert.equal(misc.params.fromStart, true);
  assert.equal(misc.params.timeoutMs, 8000);
  assert.ok(misc.probe.kind === 'misc');
  assert.deepEqual(misc.probe.argv, ['/bin/check', 'a b', 'c']);
});

test('HTTP Host header: url virtualhost, then checker, real server, virtual server, else address:port ([v6]:port)', () => {
  const pick = (spec: CheckerSpec, vsExtra: Partial<VirtualServerSpec>, rsExtra: object) => {
    const c = one(spec, vsExtra, rsExtra).checkers[0]!;
    return c.probe.kind === 'http' ? c.probe.urls[0]!.host : '';
  };
  const get = (extra: object = {}): CheckerSpec => ({ kind: 'HTTP_GET', url: [{ path: '/' }], ...extra });
  assert.equal(pick(get(), { virtualhost: 'vs.example' }, {}), 'vs.example');
  assert.equal(pick(get(), { virtualhost: 'vs.example' }, { virtualhost: 'rs.example' }), 'rs.example');
  assert.equal(pick(get({ virtualhost: 'chk.example' }), {}, { virtualhost: 'rs.example' }), 'chk.example');
  assert.equal(pick({ kind: 'HTTP_GET', url: [{ path: '/', virtualhost: 'url.example' }], virtualhost: 'chk' }, {}, {}), 'url.example');
  assert.equal(pick(get({ connectIp: 'fd77::5', connectPort: 81 }), {}, {}), '[fd77::5]:81');
});

test('SMTP_CHECK host blocks become checkers of their own; UDP payloads; FILE_CHECK weights', () => {
  const smtp = one({ kind: 'SMTP_CHECK', host: [{ connectIp: '10.0.0.3', connectPort: 25 }, { connectIp: '10.0.0.4', connectPort: 587 }] }).checkers;
  assert.equal(smtp.length, 2);
  assert.deepEqual(
    smtp.map((c) => (c.probe.kind === 'smtp' ? `${c.probe.target.host}:${c.probe.target.port} ${c.probe.heloName}` : '')),
    ['10.0.0.3:25 smtpchecker.keepalived.org', '10.0.0.4:587 smtpchecker.keepalived.org'],
  );
  assert.equal(new Set(smtp.map((c) => c.id)).size, 2);

  const udp = one({ kind: 'UDP_CHECK', payload: 'dead beef', requireReply: 'de xd' }).checkers[0]!;
  assert.ok(udp.probe.kind === 'udp');
  assert.deepEqual([...udp.probe.payload], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual([...udp.probe.replyData!], [0xde, 0x0d]);
  assert.deepEqual([...udp.probe.replyMask!], [0x00, 0xf0]);
  assert.equal(udp.probe.requireReply, true);

  const file = one({ kind: 'FILE_CHECK', trackFile: { name: 'f', file: '/run/f', weight: 3, reverse: true } }, { alpha: true, retry: 4 }).checkers[0]!;
  assert.deepEqual(file.probe, { kind: 'file', path: '/run/f', weight: 3, reverse: true });
  assert.equal(file.params.alpha, false, 'FILE_CHECK knows its state at once: never alpha');
  assert.equal(file.params.retry, 0);
});

test('virtual_server_group ranges', () => {
  assert.deepEqual(expandGroupEntry({ address: '10.0.0.250', rangeEnd: 252, port: 80 }), [
    { address: '10.0.0.250', port: 80 },
    { address: '10.0.0.251', port: 80 },
    { address: '10.0.0.252', port: 80 },
  ]);
  assert.deepEqual(expandGroupEntry({ address: 'fd77::a', rangeEnd: 0xb, port: 53 }), [
    { address: 'fd77::a', port: 53 },
    { address: 'fd77::b', port: 53 },
  ]);
  assert.deepEqual(expandGroupEntry({ fwmark: 5 }), { fwmark: 5 });
});

test('sorry server defaults to the virtual server\'s port and forwarding method', () => {
  const { vs } = one({ kind: 'TCP_CHECK' }, { sorryServer: { address: '10.0.0.9' }, lbKind: 'DR' });
  assert.deepEqual(vs.sorryServer, { address: '10.0.0.9', port: 80, weight: 1, forwarding: 'DR' });
});
