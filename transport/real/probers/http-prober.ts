/**
 * HTTP_GET and SSL_GET: for each `url`, one connection carrying keepalived's request (GET, HTTP/1.0 by default,
 * "User-Agent: KeepAliveClient", Host = virtualhost or address:port), the response read to its end (or to its
 * Content-Length), then the status code checked against `status_code` (default 200-299) and the body's MD5
 * against `digest`. TLS certificates are not verified, as keepalived does not verify them.
 *
 * keepalived checks one URL per delay_loop; vigil checks them all in one probe, each URL within connect_timeout
 * (keepalived's way back up without `fast_recovery`, N urls delay_loop apart, is machines/checker-logic.ts's
 * confirmation).
 */
import { createHash } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { readRegularFileBytesSync } from '../regular-file.js';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import type { HttpProbeSpec, HttpUrlProbe, ProbeResult } from '../../prober.js';
import { bodyMatches } from '../../../protocol/http-body-regex.js';
import { connectTcp as connectChecker, hasSocketOptions } from './checker-socket.js';
import { parseResponseHead, responseBody, responseComplete, type HttpResponseHead } from '../../../protocol/http-response.js';
import { describeError, once, startProbe } from './outcome.js';
import { describeConnectCode, NativeTcpEngine, nativeTcpEngine } from './native-tcp-prober.js';
import { TCP_CONNECT_TIMED_OUT } from '../../../native/index.js';

/** Responses larger than this are cut (and fail a digest check); keepalived reads with a fixed buffer too. */
const MAX_RESPONSE = 4 * 1024 * 1024;

export function httpRequest(url: HttpUrlProbe, protocol: HttpProbeSpec['httpProtocol']): string {
  const minor = protocol === '1.1' ? 1 : 0;
  const close = protocol === '1.0' ? '' : 'Connection: close\r\n';
  return `GET ${url.path} HTTP/1.${minor}\r\nUser-Agent: KeepAliveClient\r\n${close}Host: ${url.host}\r\n\r\n`;
}

/** Certificate files are read once per path. */
const fileCache = new Map<string, Buffer | Error>();
/** A certificate, key or CA bundle is far smaller. */
const MAX_TLS_FILE = 4 << 20;

function readCached(path: string): Buffer {
  let entry = fileCache.get(path);
  if (entry === undefined) {
    try {
      // A regular file only, never blocking: a FIFO at the path would hang the checker thread (and each
      // replacement the watchdog starts).
      entry = readRegularFileBytesSync(path, MAX_TLS_FILE);
    } catch (err) {
      entry = err instanceof Error ? err : new Error(String(err));
    }
    fileCache.set(path, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}

function tlsOptions(spec: HttpProbeSpec): ConnectionOptions {
  const files = spec.tlsFiles;
  return {
    rejectUnauthorized: false,
    servername: spec.servername ?? '',
    ...(files?.ca !== undefined ? { ca: readCached(files.ca) } : {}),
    ...(files?.certificate !== undefined ? { cert: readCached(files.certificate) } : {}),
    ...(files?.key !== undefined ? { key: readCached(files.key) } : {}),
    ...(files?.password !== undefined ? { passphrase: files.password } : {}),
  };
}

interface Response {
  readonly status: number;
  readonly body: Uint8Array;
}

/** The response in what was read (framed by protocol/http-response.ts, on both paths), or why there is none. */
function responseIn(data: Buffer, head = parseResponseHead(data)): Response | string {
  if (head === undefined) return data.length === 0 ? 'empty response' : 'no HTTP header in the response';
  return { status: head.status, body: responseBody(data, head) };
}

/** Each url's request bytes, made once. */
const requests = new WeakMap<HttpUrlProbe, { protocol: HttpProbeSpec['httpProtocol']; bytes: Buffer }>();

function requestBytes(url: HttpUrlProbe, protocol: HttpProbeSpec['httpProtocol']): Buffer {
  let cached = requests.get(url);
  if (cached === undefined || cached.protocol !== protocol) {
    cached = { protocol, bytes: Buffer.from(httpRequest(url, protocol), 'latin1') };
    requests.set(url, cached);
  }
  return cached.bytes;
}

/** How a response is fetched: the native connector where it can (plain HTTP to an IP literal), or Node's sockets. */
export type HttpTransport = 'auto' | 'socket';

function fetchOnce(spec: HttpProbeSpec, url: HttpUrlProbe, via: HttpTransport): Promise<Response | string> {
  // Plain HTTP to an IP literal: the native connector does the whole round trip, no Node socket.
  const engine = spec.tls || via === 'socket' ? undefined : nativeTcpEngine();
  if (engine !== undefined && NativeTcpEngine.takes(spec)) {
    return new Promise((resolve) => {
      engine.exchange(spec.target, spec.timeoutMs, requestBytes(url, spec.httpProtocol), MAX_RESPONSE + 1, (code, answer) => {
        if (code === 0) resolve(responseIn(answer ?? Buffer.alloc(0)));
        else resolve(code === TCP_CONNECT_TIMED_OUT ? 'timeout' : describeConnectCode(spec.target, code));
      });
    });
  }
  return fetchBySocket(spec, url);
}

function fetchBySocket(spec: HttpProbeSpec, url: HttpUrlProbe): Promise<Response | string> {
  return new Promise((resolve) => {
    const { target } = spec;
    const options = { host: target.host, port: target.port, localAddress: target.bindto, localPort: target.bindPort };
    let socket: Socket;
    try {
      // bind_if / fwmark: the TCP socket is made with them (checker-socket.ts), TLS runs over it.
      if (hasSocketOptions(target)) socket = spec.tls ? connectTls({ ...tlsOptions(spec), socket: connectChecker(target) }) : connectChecker(target);
      else socket = spec.tls ? connectTls({ ...options, ...tlsOptions(spec) }) : connectTcp(options);
    } catch (err) {
      return resolve(describeError(err));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = once((outcome: Response | string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    });
    // The head, once its header section is in: then only the body's length is watched.
    let head: HttpResponseHead | undefined;
    const fromData = (): Response | string => responseIn(Buffer.concat(chunks, size));
    const timer = setTimeout(() => finish('timeout'), spec.timeoutMs);
    socket.once(spec.tls ? 'secureConnect' : 'connect', () => socket.write(httpRequest(url, spec.httpProtocol)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_RESPONSE) return finish(fromData());
      if (head === undefined) {
        const data = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
        head = parseResponseHead(data);
        if (responseComplete(data, head)) finish(responseIn(data, head));
      } else if (head.contentLength !== undefined && size - head.bodyStart >= head.contentLength) {
        finish(fromData());
      }
    });
    socket.once('end', () => finish(fromData()));
    socket.once('error', (err) => finish(size > 0 ? fromData() : describeError(err)));
  });
}

/** Why a response fails a url's checks, or undefined when it passes. */
export function judgeResponse(url: HttpUrlProbe, response: Response): string | undefined {
  if (!url.statusCodes.some(([lo, hi]) => response.status >= lo && response.status <= hi)) {
    return `status ${response.status} not accepted`;
  }
  if (url.digest !== undefined) {
    const digest = createHash('md5').update(response.body).digest('hex');
    if (digest !== url.digest.toLowerCase()) return `MD5 digest ${digest} differs`;
  }
  if (url.regex !== undefined) {
    let matched: boolean;
    try {
      matched = bodyMatches(
        { source: url.regex, flags: url.regexFlags, minOffset: url.regexMinOffset, maxOffset: url.regexMaxOffset, firstLine: url.regexFirstLine },
        response.body,
      );
    } catch (err) {
      return `bad regex: ${describeError(err)}`;
    }
    if (matched === (url.regexNoMatch ?? false)) return url.regexNoMatch ? 'body matches regex_no_match' : 'body does not match regex';
  }
  return undefined;
}

export async function probeHttp(spec: HttpProbeSpec, via: HttpTransport = 'auto'): Promise<ProbeResult> {
  const timing = startProbe();
  for (const url of spec.urls) {
    const response = await fetchOnce(spec, url, via);
    if (typeof response === 'string') return timing.done(false, `${url.path}: ${response}`);
    const problem = judgeResponse(url, response);
    if (problem !== undefined) return timing.done(false, `${url.path}: ${problem}`);
  }
  return timing.done(true, `${spec.urls.length} url(s) ok`);
}
