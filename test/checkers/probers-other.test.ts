/**
 * SMTP_CHECK, DNS_CHECK, UDP_CHECK, MISC_CHECK, FILE_CHECK and PING_CHECK against local servers, scripts and
 * files made by the test: success, failure, and back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeSmtp, takeReply } from '../../transport/real/probers/smtp-prober.js';
import { probeDns } from '../../transport/real/probers/dns-prober.js';
import { judgeUdpReply, probeUdp } from '../../transport/real/probers/udp-prober.js';
import { miscExitVerdict, probeMisc } from '../../transport/real/probers/misc-prober.js';
import { fileStatus, probeFile, strtol0 } from '../../transport/real/probers/file-prober.js';
import { parseHexString } from '../../protocol/hex-string.js';
import { IcmpEngine, probePing } from '../../transport/real/probers/ping-prober.js';
import { decodeHeader, encodeQuery } from '../../protocol/dns-message.js';
import { decodeEchoReply, encodeEchoRequest } from '../../protocol/icmp-echo.js';
import type { UdpProbeSpec } from '../../transport/prober.js';
import { startDns, startSmtp, startUdp } from './local-servers.js';

test('SMTP_CHECK: greeting 220, HELO helo_name → 250, QUIT; a bad greeting fails; down and up', async () => {
  let greeting = '220-first line\r\n220 ready\r\n';
  const helos: string[] = [];
  const server = await startSmtp({ greeting: () => greeting, helos });
  const spec = { kind: 'smtp', target: { host: '127.0.0.1', port: server.port }, timeoutMs: 10_000, heloName: 'checker.vigil' } as const;
  try {
    const ok = await probeSmtp(spec);
    assert.equal(ok.ok, true, ok.detail);
    assert.deepEqual(helos, ['checker.vigil']);
    greeting = '554 go away\r\n';
    const refused = await probeSmtp(spec);
    assert.equal(refused.ok, false);
    assert.match(refused.detail, /bad greeting 554/);
    greeting = '220 ready\r\n';
    await server.stop();
    assert.equal((await probeSmtp(spec)).ok, false);
    await server.start();
    assert.equal((await probeSmtp(spec)).ok, true);
  } finally {
    await server.close();
  }
});

test('SMTP replies: multi-line replies are read to the last line', () => {
  assert.equal(takeReply('250-a\r\n250-b\r\n'), undefined);
  assert.deepEqual(takeReply('250-a\r\n250 b\r\nrest'), { code: 250, rest: 'rest' });
});

test('DNS_CHECK: the query is RD with one question; NOERROR succeeds, SERVFAIL fails, a wrong id is ignored', async () => {
  const query = encodeQuery(0x1234, 'example.org', 6);
  assert.deepEqual(
    [...query],
    [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, ...Buffer.from('example'), 3, ...Buffer.from('org'), 0, 0, 6, 0, 1],
  );
  assert.deepEqual([...encodeQuery(1, '.', 6)].slice(12), [0, 0, 6, 0, 1]);

  let rcode = 0;
  const queries: Buffer[] = [];
  const server = await startDns({ rcode: () => rcode, wrongIdFirst: true, queries });
  const spec = { kind: 'dns', target: { host: '127.0.0.1', port: server.port }, timeoutMs: 10_000, name: 'vigil.test', type: 1 } as const;
  try {
    const ok = await probeDns(spec);
    assert.equal(ok.ok, true, ok.detail);
    assert.equal(decodeHeader(queries[0]!)?.response, false);
    rcode = 2;
    const fail = await probeDns(spec);
    assert.equal(fail.ok, false);
    assert.match(fail.detail, /rcode 2/);
    rcode = 0;
  } finally {
    await server.close();
  }
  // Nothing listens on the port any more: ICMP port unreachable → failure.
  const down = await probeDns(spec);
  assert.equal(down.ok, false);
  const again = await startDns({ rcode: () => 0 }, spec.target.port);
  try {
    assert.equal((await probeDns(spec)).ok, true);
  } finally {
    await again.close();
  }
});

test('UDP_CHECK HEX_STR: groups pair from the left, x is a wildcard nibble', () => {
  assert.deepEqual([...parseHexString('Ab12f 3 456 546443123').data], [0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03]);
  const wild = parseHexString('4x 00', true);
  assert.deepEqual([...wild.data], [0x40, 0x00]);
  assert.deepEqual([...wild.mask!], [0x0f, 0x00]);
  assert.throws(() => parseHexString('4x'));
});

test('UDP_CHECK: echo with require_reply and matching data; mismatches, silence and port unreachable fail', async () => {
  let answer = true;
  const server = await startUdp((m) => (answer ? m : undefined));
  const reply = parseHexString('de ad xx ef', true);
  const spec: UdpProbeSpec = {
    kind: 'udp',
    target: { host: '127.0.0.1', port: server.port },
    timeoutMs: 200,
    payload: parseHexString('de ad be ef').data,
    requireReply: true,
    replyData: reply.data,
    replyMask: reply.mask,
    minReplyLength: 0,
    maxReplyLength: 255,
  };
  try {
    const ok = await probeUdp(spec);
    assert.equal(ok.ok, true, ok.detail);
    const mismatch = await probeUdp({ ...spec, payload: parseHexString('de ae be ef').data });
    assert.equal(mismatch.ok, false);
    assert.match(mismatch.detail, /byte 1/);
    assert.equal((await probeUdp({ ...spec, maxReplyLength: 3 })).ok, false);
    answer = false;
    assert.equal((await probeUdp(spec)).ok, false, 'silence with require_reply');
    assert.equal((await probeUdp({ ...spec, requireReply: false })).ok, true, 'silence without require_reply');
  } finally {
    await server.close();
  }
  const closed = await probeUdp({ ...spec, requireReply: false });
  assert.equal(closed.ok, false, 'ICMP port unreachable');
  assert.match(closed.detail, /ECONNREFUSED/);
  assert.equal(judgeUdpReply(spec, Uint8Array.of(0xde, 0xad, 0x00, 0xef, 0x99)), undefined);
});

test('MISC_CHECK: exit codes as keepalived defines them, misc_dynamic weights, timeout kills the script', async (t) => {
  assert.deepEqual(miscExitVerdict(0, false), { ok: true });
  assert.deepEqual(miscExitVerdict(1, true), { ok: false });
  assert.deepEqual(miscExitVerdict(2, false), { ok: false });
  assert.deepEqual(miscExitVerdict(2, true), { ok: true, weight: 0 });
  assert.deepEqual(miscExitVerdict(255, true), { ok: true, weight: 253 });

  const dir = mkdtempSync(join(tmpdir(), 'vigil-misc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  const script = join(dir, 'check.sh');
  writeFileSync(script, `#!/bin/sh\nread code < "${state}"\n[ "$code" = sleep ] && exec sleep 30\nexit "$code"\n`);
  chmodSync(script, 0o755);
  const spec = { kind: 'misc', argv: [script], timeoutMs: 2000, dynamic: true } as const;

  writeFileSync(state, '0');
  assert.equal((await probeMisc(spec)).ok, true);
  writeFileSync(state, '1');
  const down = await probeMisc(spec);
  assert.equal(down.ok, false);
  assert.equal(down.detail, 'exit status 1');
  writeFileSync(state, '12');
  assert.deepEqual((await probeMisc(spec)).weight, { kind: 'absolute', value: 10 });
  assert.equal((await probeMisc({ ...spec, dynamic: false })).ok, false);
  writeFileSync(state, 'sleep');
  const slow = await probeMisc({ ...spec, timeoutMs: 200 });
  assert.equal(slow.ok, false);
  assert.match(slow.detail, /timed out/);
  // No shell: metacharacters are plain arguments.
  const noShell = await probeMisc({ ...spec, argv: ['/bin/echo', '$(exit 1)', ';', 'false'] });
  assert.equal(noShell.ok, true);
  const missing = await probeMisc({ ...spec, argv: [join(dir, 'absent')] });
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /ENOENT/);
});

test('FILE_CHECK: strtol rules, weight 0 and reverse, weight deltas, missing file is 0', async (t) => {
  assert.equal(strtol0('  42\n'), 42);
  assert.equal(strtol0('0x1f'), 31);
  assert.equal(strtol0('017'), 15);
  assert.equal(strtol0('-5abc'), -5);
  assert.equal(strtol0('abc'), 0);
  assert.deepEqual(fileStatus(0, 0, false), { ok: true });
  assert.deepEqual(fileStatus(3, 0, false), { ok: false });
  assert.deepEqual(fileStatus(0, 0, true), { ok: false });
  assert.deepEqual(fileStatus(3, 0, true), { ok: true });
  assert.deepEqual(fileStatus(3, 5, false), { ok: true, delta: 15 });
  assert.deepEqual(fileStatus(3, 5, true), { ok: true, delta: -15 });
  assert.deepEqual(fileStatus(-2147483648, 1, false), { ok: false });

  const dir = mkdtempSync(join(tmpdir(), 'vigil-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'status');
  const spec = { kind: 'file', path, weight: 0, reverse: false } as const;
  assert.equal((await probeFile(spec)).ok, true, 'no file reads as 0');
  writeFileSync(path, '1\n');
  assert.equal((await probeFile(spec)).ok, false);
  writeFileSync(path, '0\n');
  assert.equal((await probeFile(spec)).ok, true);
  writeFileSync(path, '4');
  assert.deepEqual((await probeFile({ ...spec, weight: 2 })).weight, { kind: 'delta', value: 8 });
  unlinkSync(path);
});

test('ICMP echo encoding: checksum for IPv4, reply decoding skips the IPv4 header', () => {
  const request = encodeEchoRequest(4, 0xbeef, 7, Uint8Array.of(1, 2, 3, 4));
  // 0x0800 + 0xbeef + 0x0007 + 0x0102 + 0x0304 = 0xcafc; its complement is 0x3503.
  assert.deepEqual([...request.slice(0, 8)], [8, 0, 0x35, 0x03, 0xbe, 0xef, 0, 7]);
  const reply = new Uint8Array(20 + request.length);
  reply[0] = 0x45;
  reply.set(request, 20);
  reply[20] = 0;
  assert.deepEqual(decodeEchoReply(4, reply), { identifier: 0xbeef, sequence: 7 });
  assert.equal(decodeEchoReply(4, request), undefined);
  assert.deepEqual(decodeEchoReply(6, Uint8Array.of(129, 0, 0, 0, 0, 1, 0, 2)), { identifier: 1, sequence: 2 });
});

test('PING_CHECK (raw-socket ICMP): 127.0.0.1 and ::1 answer; an unroutable address does not', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('raw ICMP sockets need root');
  const engine = new IcmpEngine(0x4242);
  try {
    const v4 = await probePing(engine, { kind: 'ping', target: { host: '127.0.0.1', port: 0 }, timeoutMs: 1000 });
    assert.equal(v4.ok, true, v4.detail);
    const v6 = await probePing(engine, { kind: 'ping', target: { host: '::1', port: 0 }, timeoutMs: 1000 });
    assert.equal(v6.ok, true, v6.detail);
    const none = await probePing(engine, { kind: 'ping', target: { host: '192.168.77.253', port: 0 }, timeoutMs: 200 });
    assert.equal(none.ok, false);
  } finally {
    engine.close();
  }
});

test('MISC_CHECK user: the script runs as that user (names from /etc/passwd)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('changing user needs root');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const script = join(dir, 'whoami.sh');
  writeFileSync(script, '#!/bin/sh\n[ "$(id -u)" = "$1" ]\n');
  chmodSync(script, 0o755);
  const nobody = await probeMisc({ kind: 'misc', argv: [script, '65534'], timeoutMs: 2000, dynamic: false, user: 'nobody' });
  assert.equal(nobody.ok, true, nobody.detail);
  const root = await probeMisc({ kind: 'misc', argv: [script, '65534'], timeoutMs: 2000, dynamic: false });
  assert.equal(root.ok, false);
  const unknown = await probeMisc({ kind: 'misc', argv: [script, '0'], timeoutMs: 2000, dynamic: false, user: 'no-such-user-vigil' });
  assert.equal(unknown.ok, false);
  assert.match(unknown.detail, /unknown user/);
});
