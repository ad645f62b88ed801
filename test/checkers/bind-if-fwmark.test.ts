/**
 * keepalived's checker `bind_if` (SO_BINDTODEVICE) and `fwmark` (SO_MARK), from keepalived.conf to the socket, in
 * network namespaces: a checker bound to the interface that reaches the server succeeds and one bound to an
 * interface that does not (one with no address) fails; a checker whose mark an nftables rule of the checker's
 * namespace drops fails while the same checker with another mark succeeds. For TCP_CHECK, HTTP_GET, UDP_CHECK and
 * PING_CHECK, each probing from the checker's namespace through the daemon's prober (probe-cli.ts).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ProbeResult, ProbeSpec } from '../../transport/prober.js';
import { nativeAvailable } from '../../native/index.js';
import { commandAvailable, createLan, requireNetns, type Lan } from '../netns/harness.js';
import { virtualServersOf } from './lvs-config.js';

const CLI = fileURLToPath(new URL('./probe-cli.js', import.meta.url));

/** In the server's namespace: HTTP on 8080, a UDP echo on 5353; prints "ready". */
const SERVER = `
const http = require('http'), dgram = require('dgram');
let up = 0;
const ready = () => { if (++up === 2) console.log('ready'); };
http.createServer((q, r) => r.end('ok')).listen(8080, ready);
const u = dgram.createSocket('udp4');
u.on('message', (m, from) => u.send(m, from.port, from.address));
u.bind(5353, ready);
`;

/** The probe specs the daemon makes of a real server with these checker lines (bind_if / fwmark among them). */
function specsOf(server: string, lines: string): ProbeSpec[] {
  const checkers = ['TCP_CHECK {\nconnect_port 8080', 'HTTP_GET {\nconnect_port 8080\nurl {\npath /\n}', 'UDP_CHECK {\nconnect_port 5353\nrequire_reply', 'PING_CHECK {'];
  const [vs] = virtualServersOf(
    `virtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\nconnect_timeout 2\nreal_server ${server} 80 {\n${checkers.map((c) => `${c}\n${lines}\n}`).join('\n')}\n}\n}\n`,
  );
  return vs!.realServers[0]!.checkers.map((c) => c.probe);
}

async function probe(lan: Lan, ns: string, spec: ProbeSpec): Promise<ProbeResult> {
  const json = JSON.stringify(spec, (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
  const { stdout } = await lan.exec(ns, [process.execPath, CLI, json]);
  return JSON.parse(stdout) as ProbeResult;
}

/** Each checker kind's outcome, as "KIND ok" / "KIND failed". */
async function outcomes(lan: Lan, ns: string, specs: readonly ProbeSpec[]): Promise<string[]> {
  const out: string[] = [];
  for (const spec of specs) out.push(`${spec.kind} ${(await probe(lan, ns, spec)).ok ? 'ok' : 'failed'}`);
  return out;
}

const ALL_OK = ['tcp ok', 'http ok', 'udp ok', 'ping ok'];
const ALL_FAILED = ['tcp failed', 'http failed', 'udp failed', 'ping failed'];

test('bind_if and fwmark reach the checker sockets (TCP_CHECK, HTTP_GET, UDP_CHECK, PING_CHECK)', async (t: TestContext) => {
  if (!requireNetns(t, () => (nativeAvailable() ? commandAvailable('nft') : { ok: false, reason: 'vigil_native addon not built' }))) return;
  const lan = await createLan({ name: 'kwcbif', hosts: ['checker', 'server'], v4Prefix: '192.168.77.X', v4Start: 230 });
  try {
    const checker = lan.host('checker');
    const server = lan.host('server');
    const child = lan.spawn(server.ns, [process.execPath, '-e', SERVER]);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'ready');
    // An interface with no address and no route to the server (one end of a veth pair: no dummy driver here).
    await lan.exec(checker.ns, ['ip', 'link', 'add', 'kwcdummy', 'type', 'veth', 'peer', 'name', 'kwcpeer']);
    await lan.exec(checker.ns, ['ip', 'link', 'set', 'kwcdummy', 'up']);
    await lan.exec(checker.ns, ['ip', 'link', 'set', 'kwcpeer', 'up']);
    await lan.exec(checker.ns, ['nft', 'add table inet kwcheck; add chain inet kwcheck out { type filter hook output priority 0; }; add rule inet kwcheck out meta mark 77 drop']);

    assert.deepEqual(await outcomes(lan, checker.ns, specsOf(server.ipv4, '')), ALL_OK, 'without either option');
    const onEth0 = specsOf(server.ipv4, 'bind_if eth0');
    assert.equal(onEth0[0]!.kind === 'tcp' ? onEth0[0]!.target.device : undefined, 'eth0');
    assert.deepEqual(await outcomes(lan, checker.ns, onEth0), ALL_OK, 'bind_if eth0: the way to the server');
    assert.deepEqual(await outcomes(lan, checker.ns, specsOf(server.ipv4, 'bind_if kwcdummy')), ALL_FAILED, 'bind_if on an interface with no way there');
    assert.deepEqual(await outcomes(lan, checker.ns, specsOf(server.ipv4, 'fwmark 78')), ALL_OK, 'a mark nothing drops');
    assert.deepEqual(await outcomes(lan, checker.ns, specsOf(server.ipv4, 'fwmark 77')), ALL_FAILED, 'the mark the checker namespace drops');
    // An interface that does not exist: the probe fails and says why, nothing throws.
    const missing = await probe(lan, checker.ns, specsOf(server.ipv4, 'bind_if kwcnosuch')[0]!);
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /ENODEV|No such device/);
  } finally {
    await lan.cleanup();
  }
});
