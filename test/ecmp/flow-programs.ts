/**
 * The two programs of the ECMP topology's end hosts, run with `node -e` inside their namespaces:
 *  - a real server: an HTTP server on :8080 that answers every request with its name, keeping connections open;
 *  - the client: opens one keep-alive HTTP connection per source port, and on command (one JSON line on stdin,
 *    one JSON line back) asks on every open connection again, resets them all (RST: no TIME_WAIT anywhere, so the
 *    same 5-tuples can be opened again), or opens them anew. A flow is one source port; its answer is the name of
 *    the real server that served it, or `error:…`.
 * Importing this module does nothing.
 */

export const SERVER_PROGRAM = `
const http = require('node:http');
const name = process.argv[1];
const server = http.createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end(name); });
server.keepAliveTimeout = 0; server.headersTimeout = 0; server.requestTimeout = 0;
server.listen(8080, '0.0.0.0', () => console.log('ready'));
`;

/** Commands: {"cmd":"open","from":P,"to":Q} · {"cmd":"ask"} · {"cmd":"reset"}; each answers {"answers":{port:text}}. */
export const CLIENT_PROGRAM = `
const net = require('node:net');
const readline = require('node:readline');
const [host, port, parallel, timeoutMs] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const conns = new Map();
const REQUEST = 'GET / HTTP/1.1\\r\\nHost: ' + host + '\\r\\n\\r\\n';

function complete(c) {
  const end = c.buf.indexOf('\\r\\n\\r\\n');
  if (end < 0) return undefined;
  const m = /content-length: *(\\d+)/i.exec(c.buf.slice(0, end));
  const length = m ? Number(m[1]) : 0;
  if (c.buf.length < end + 4 + length) return undefined;
  const body = c.buf.slice(end + 4, end + 4 + length);
  c.buf = c.buf.slice(end + 4 + length);
  return body;
}

function settle(c, text) {
  const p = c.pending; c.pending = undefined;
  if (p) { clearTimeout(p.timer); p.resolve(text); }
}

function fail(c, why) {
  conns.delete(c.port);
  settle(c, 'error:' + why);
  c.sock.destroy();
}

function request(c) {
  return new Promise((resolve) => {
    c.pending = { resolve, timer: setTimeout(() => fail(c, 'timeout'), timeoutMs) };
    c.sock.write(REQUEST);
  });
}

function open(localPort) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, localPort });
    const c = { port: localPort, sock, buf: '', pending: { resolve, timer: setTimeout(() => fail(c, 'connect-timeout'), timeoutMs) } };
    conns.set(localPort, c);
    sock.setNoDelay(true);
    sock.on('connect', () => { const p = c.pending; clearTimeout(p.timer); c.pending = undefined; request(c).then(p.resolve); });
    sock.on('data', (d) => { c.buf += d; const body = complete(c); if (body !== undefined) settle(c, body); });
    sock.on('error', (e) => fail(c, e.code || 'error'));
    sock.on('close', () => { if (conns.get(localPort) === c) fail(c, 'closed'); });
  });
}

async function each(items, fn) {
  const out = {};
  let next = 0;
  const worker = async () => { while (next < items.length) { const item = items[next++]; out[item] = await fn(item); } };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

async function handle(command) {
  if (command.cmd === 'open') {
    const ports = [];
    for (let p = command.from; p < command.to; p++) ports.push(p);
    return { answers: await each(ports, open) };
  }
  if (command.cmd === 'ask') return { answers: await each([...conns.keys()], (p) => { const c = conns.get(p); return c ? request(c) : 'error:gone'; }) };
  if (command.cmd === 'reset') {
    const n = conns.size;
    for (const c of conns.values()) { c.pending = undefined; c.sock.removeAllListeners('close'); c.sock.on('error', () => {}); c.sock.resetAndDestroy(); }
    conns.clear();
    return { reset: n };
  }
  return { error: 'unknown command' };
}

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => handle(JSON.parse(line))).then((r) => process.stdout.write(JSON.stringify(r) + '\\n'));
});
console.log(JSON.stringify({ ready: true }));
`;
