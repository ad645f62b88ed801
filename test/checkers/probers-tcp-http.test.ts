/**
 * TCP_CHECK, HTTP_GET and SSL_GET against servers on 127.0.0.1 started by the test: up, down, up again; status
 * codes, MD5 digests, virtualhost, the exact request keepalived sends, and TLS with a self-signed certificate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTcp } from '../../transport/real/probers/tcp-prober.js';
import { httpRequest, judgeResponse, probeHttp } from '../../transport/real/probers/http-prober.js';
import type { HttpProbeSpec } from '../../transport/prober.js';
import { selfSignedCertificate, startHttp, startHttps, startTcp } from './local-servers.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

test('TCP_CHECK: connects while the server listens, fails while it is down, succeeds again when it is back', async () => {
  const server = await startTcp();
  const spec = { kind: 'tcp', target: { host: '127.0.0.1', port: server.port }, timeoutMs: 2000 } as const;
  try {
    assert.equal((await probeTcp(spec)).ok, true);
    await server.stop();
    const down = await probeTcp(spec);
    assert.equal(down.ok, false);
    assert.match(down.detail, /ECONNREFUSED/);
    await server.start();
    assert.equal((await probeTcp(spec)).ok, true);
  } finally {
    await server.close();
  }
});

test('TCP_CHECK: bindto sets the source address', async () => {
  const server = await startTcp();
  try {
    const ok = await probeTcp({ kind: 'tcp', target: { host: '127.0.0.1', port: server.port, bindto: '127.0.0.1' }, timeoutMs: 2000 });
    assert.equal(ok.ok, true);
    // An address that is not ours cannot be bound: the probe fails rather than connecting from elsewhere.
    const bad = await probeTcp({ kind: 'tcp', target: { host: '127.0.0.1', port: server.port, bindto: '192.168.77.250' }, timeoutMs: 2000 });
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /EADDRNOTAVAIL/);
  } finally {
    await server.close();
  }
});

test('HTTP_GET: the request is keepalived\'s, byte for byte', () => {
  const url = { path: '/health', statusCodes: [[200, 299]] as const, host: '10.0.0.1:8080' };
  assert.equal(httpRequest(url, '1.0'), 'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.1:8080\r\n\r\n');
  assert.equal(
    httpRequest(url, '1.1'),
    'GET /health HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:8080\r\n\r\n',
  );
  assert.equal(httpRequest(url, '1.0C'), 'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:8080\r\n\r\n');
});

/** A probe of http://127.0.0.1:`port`/ (status 2xx, Host h, HTTP/1.0, 2 s), with `over` in place of any of it. */
const httpSpec = (port: number, over: Partial<HttpProbeSpec> = {}): HttpProbeSpec => ({
  kind: 'http',
  tls: false,
  target: { host: '127.0.0.1', port },
  timeoutMs: 2000,
  httpProtocol: '1.0',
  urls: [{ path: '/', statusCodes: [[200, 299]], host: 'h' }],
  ...over,
});

test('HTTP_GET: status codes, digest and virtualhost; down and up', async () => {
  let status = 200;
  let body = 'all good\n';
  const seen: IncomingHttpHeaders[] = [];
  const server = await startHttp((req, res) => {
    seen.push(req.headers);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  const spec = (over: Partial<HttpProbeSpec> = {}): HttpProbeSpec =>
    httpSpec(server.port, { urls: [{ path: '/', statusCodes: [[200, 299]], host: 'www.example.test', digest: md5('all good\n') }], ...over });
  try {
    const ok = await probeHttp(spec());
    assert.equal(ok.ok, true, ok.detail);
    assert.equal(seen[0]!['host'], 'www.example.test');
    assert.equal(seen[0]!['user-agent'], 'KeepAliveClient');

    body = 'changed\n';
    const digest = await probeHttp(spec());
    assert.equal(digest.ok, false);
    assert.match(digest.detail, /MD5 digest/);

    status = 503;
    const bad = await probeHttp(spec({ urls: [{ path: '/', statusCodes: [[200, 299]], host: 'x' }] }));
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /status 503/);
    // status_code 200-299 503: now accepted.
    const accepted = await probeHttp(spec({ urls: [{ path: '/', statusCodes: [[200, 299], [503, 503]], host: 'x' }] }));
    assert.equal(accepted.ok, true, accepted.detail);

    status = 200;
    body = 'all good\n';
    await server.stop();
    const down = await probeHttp(spec());
    assert.equal(down.ok, false);
    await server.start();
    assert.equal((await probeHttp(spec())).ok, true);
  } finally {
    await server.close();
  }
});

test('HTTP_GET regex and regex_no_match over the body', () => {
  const url = { path: '/', statusCodes: [[200, 299]] as [number, number][], host: 'h' };
  const response = { status: 200, body: Buffer.from('status: healthy\nload 0.3\n') };
  assert.equal(judgeResponse({ ...url, regex: 'status: (healthy|ok)' }, response), undefined);
  assert.equal(judgeResponse({ ...url, regex: 'status: down' }, response), 'body does not match regex');
  assert.equal(judgeResponse({ ...url, regex: 'status: down', regexNoMatch: true }, response), undefined);
  assert.equal(judgeResponse({ ...url, regex: 'healthy', regexNoMatch: true }, response), 'body matches regex_no_match');
  assert.match(judgeResponse({ ...url, regex: '(' }, response) ?? '', /bad regex/);
});

test('HTTP_GET: every url is checked; one failing url fails the probe', async () => {
  const server = await startHttp((req, res) => {
    res.writeHead(req.url === '/broken' ? 500 : 200);
    res.end('x');
  });
  try {
    const result = await probeHttp(
      httpSpec(server.port, {
        httpProtocol: '1.1',
        urls: [
          { path: '/a', statusCodes: [[200, 299]], host: 'h' },
          { path: '/broken', statusCodes: [[200, 299]], host: 'h' },
        ],
      }),
    );
    assert.equal(result.ok, false);
    assert.match(result.detail, /^\/broken: status 500/);
  } finally {
    await server.close();
  }
});

test('HTTP_GET: a server that accepts but never answers fails at the timeout', async () => {
  const server = await startTcp();
  try {
    const result = await probeHttp(httpSpec(server.port, { timeoutMs: 150 }));
    assert.equal(result.ok, false);
    assert.match(result.detail, /timeout/);
  } finally {
    await server.close();
  }
});

test('SSL_GET: a self-signed certificate (made by openssl req) is accepted; digest checked over TLS; down and up', async () => {
  const credentials = selfSignedCertificate();
  const server = await startHttps((_req, res) => {
    res.writeHead(200);
    res.end('secure body');
  }, credentials);
  const spec = httpSpec(server.port, { tls: true, urls: [{ path: '/', statusCodes: [[200, 299]], host: '127.0.0.1:' + server.port, digest: md5('secure body') }] });
  try {
    const ok = await probeHttp(spec);
    assert.equal(ok.ok, true, ok.detail);
    await server.stop();
    assert.equal((await probeHttp(spec)).ok, false);
    await server.start();
    assert.equal((await probeHttp(spec)).ok, true);
    // Plain HTTP against the TLS port is not a valid HTTP answer.
    assert.equal((await probeHttp({ ...spec, tls: false, timeoutMs: 300 })).ok, false);
  } finally {
    await server.close();
  }
});

test('SSL_GET with the global SSL block: a client certificate for a server that requires one', async (t) => {
  const serverCreds = selfSignedCertificate();
  const clientCreds = selfSignedCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ssl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'client.key'), clientCreds.key);
  writeFileSync(join(dir, 'client.pem'), clientCreds.cert);
  const server = await startHttps((_req, res) => res.end('ok'), { ...serverCreds, requestCert: true, rejectUnauthorized: true, ca: [clientCreds.cert] });
  const spec = httpSpec(server.port, { tls: true });
  try {
    assert.equal((await probeHttp(spec)).ok, false, 'no client certificate');
    const withCert = await probeHttp({ ...spec, tlsFiles: { certificate: join(dir, 'client.pem'), key: join(dir, 'client.key') } });
    assert.equal(withCert.ok, true, withCert.detail);
    const missing = await probeHttp({ ...spec, tlsFiles: { key: join(dir, 'absent.key') } });
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /ENOENT/);
    // A FIFO at the key's path is not opened for a blocking read (the checker thread would hang on it for ever).
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo.key')]).status, 0);
    const fifo = await probeHttp({ ...spec, tlsFiles: { key: join(dir, 'fifo.key') } });
    assert.equal(fifo.ok, false);
    assert.match(fifo.detail, /not a regular file/);
  } finally {
    await server.close();
  }
});
