/**
 * The checker side of a real daemon, end to end (issue 5): a director running vigil (VRRP holding the VIP, a
 * virtual_server with TCP_CHECK, nftables DNAT), three real servers, a client. A real server that dies stops
 * receiving new connections within delay_loop × (retry + 1) + connect_timeout; back, it receives them again;
 * stopping vigil removes its rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, VIGIL, type Daemon, stopDaemons } from './daemons.js';

const VIP = '192.168.77.100';
const SERVERS = ['b1', 'b2', 'b3'] as const;
const SERVER = `
const net = require('node:net');
net.createServer((s) => { s.on('error', () => {}); s.end(process.argv[1]); }).listen(8080, '0.0.0.0', () => console.log('ready'));
`;
const CLIENT = `
const net = require('node:net');
const [host, total] = [process.argv[1], Number(process.argv[2])];
const counts = {};
const one = () => new Promise((resolve) => {
  const s = net.connect({ host, port: 80 });
  let data = '';
  const done = (key) => { counts[key] = (counts[key] || 0) + 1; s.destroy(); resolve(); };
  s.setTimeout(2000, () => done('error:timeout'));
  s.on('data', (d) => { data += d; });
  s.on('end', () => done(data));
  s.on('error', (e) => done('error:' + e.code));
});
(async () => { for (let i = 0; i < total; i++) await one(); console.log(JSON.stringify(counts)); })();
`;

test('daemon with TCP_CHECK and nftables: a dead real server leaves the pool within the bound and comes back', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'lvs', hosts: ['client', 'director', ...SERVERS], v4Prefix: '192.168.77.X', v4PrefixLength: 26 });
  const director = lan.host('director');
  const client = lan.host('client');
  const daemons: Daemon[] = [];
  const cleanups: (() => void)[] = [];
  const servers = new Map<string, ChildProcess>();
  const startServer = async (name: string) => {
    const child = lan.spawn(lan.host(name).ns, [process.execPath, '-e', SERVER, name]);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'ready');
    servers.set(name, child);
  };
  const connect = async (n: number): Promise<Record<string, number>> =>
    JSON.parse((await lan.exec(client.ns, [process.execPath, '-e', CLIENT, VIP, String(n)])).stdout) as Record<string, number>;
  try {
    await lan.exec(director.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
    for (const name of SERVERS) {
      await lan.exec(lan.host(name).ns, ['ip', 'route', 'add', `${client.ipv4}/32`, 'via', director.ipv4]);
      await startServer(name);
    }
    const realServers = SERVERS.map(
      (name) => `  real_server ${lan.host(name).ipv4} 8080 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }`,
    ).join('\n');
    // lvs_notify_fifo: a FIFO with a reader (cat), as keepalived's sample_notify_fifo.sh would be.
    const fifoDir = mkdtempSync(join(tmpdir(), 'vigil-fifo-'));
    const fifo = join(fifoDir, 'lvs.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let fifoText = '';
    reader.stdout.on('data', (c: Buffer) => (fifoText += c.toString()));
    cleanups.push(() => {
      reader.kill('SIGKILL');
      rmSync(fifoDir, { recursive: true, force: true });
    });
    const config = `global_defs {
  lvs_backend nftables
  lvs_notify_fifo ${fifo}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 50
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${VIP}/26
  }
}
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
${realServers}
}
`;
    const d = startDaemon(lan, director, 'vigil', config);
    daemons.push(d);
    const describe = async () => `${JSON.stringify(await connect(6))}\n${d.log().slice(-3000)}`;
    const all = (counts: Record<string, number>) => SERVERS.every((s) => (counts[s] ?? 0) > 0) && Object.keys(counts).every((k) => !k.startsWith('error'));
    await eventually(async () => all(await connect(9)), 20_000, describe, 500);
    assert.match(d.log(), /load balancer: nftables/);

    // b2 dies. Expected within delay_loop × (retry + 1) + connect_timeout = 1 × 2 + 1 = 3 s: waited for (30
    // connections in a row reach only b1 and b3), not slept on.
    servers.get('b2')!.kill('SIGKILL');
    let after: Record<string, number> = {};
    await eventually(
      async () => {
        after = await connect(30);
        return JSON.stringify(Object.keys(after).sort()) === JSON.stringify(['b1', 'b3']);
      },
      4500,
      async () => `${JSON.stringify(after)}\n${d.log().slice(-3000)}`,
      500,
    );
    assert.match(d.log(), /Removing service \[192\.168\.77\.\d+:8080\]/);
    const b2Address = lan.host('b2').ipv4.replace(/\./g, '\\.');
    await eventually(async () => new RegExp(`^RS \\[${b2Address}\\]:tcp:8080 \\[192\\.168\\.77\\.100\\]:tcp:80 DOWN$`, 'm').test(fifoText), 2000, () => fifoText);
    // vigil status shows it: the real server DOWN, the pool without it.
    const status = JSON.parse((await lan.exec(director.ns, [VIGIL, 'status', '--json', '--socket', d.statusSocket])).stdout) as {
      virtual_servers: { key: string; real_servers: { key: string; alive: boolean }[]; pool: { destination: string }[] }[];
    };
    const b2 = `${lan.host('b2').ipv4}:8080`;
    assert.equal(status.virtual_servers.length, 1);
    assert.equal(status.virtual_servers[0]!.real_servers.find((r) => r.key.includes(b2))?.alive, false);
    assert.ok(!status.virtual_servers[0]!.pool.some((p) => p.destination === b2));
    assert.equal(status.virtual_servers[0]!.pool.length, 2);

    // Back: one successful probe puts it in the pool again.
    await startServer('b2');
    await eventually(async () => ((await connect(9))['b2'] ?? 0) > 0, 5000, describe, 500);
    await eventually(async () => new RegExp(`^RS \\[${b2Address}\\]:tcp:8080 \\[192\\.168\\.77\\.100\\]:tcp:80 UP$`, 'm').test(fifoText), 2000, () => fifoText);

    // Graceful stop: vigil's table is gone from the director.
    d.kill('SIGTERM');
    assert.equal(await d.exited(), 0);
    const tables = (await lan.exec(director.ns, ['nft', 'list', 'tables'])).stdout;
    assert.doesNotMatch(tables, /vigil/);
  } finally {
    for (const c of cleanups) c();
    for (const s of servers.values()) s.kill('SIGKILL');
    await stopDaemons(lan, daemons);
  }
});
