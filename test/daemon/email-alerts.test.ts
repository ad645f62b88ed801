/**
 * E-mail alerts from a real daemon: vigil directing a virtual server (nftables) with one real server, VRRP holding
 * the VIP, smtp_alert on globally, into an SMTP sink on another host of the LAN. The VRRP transitions mail, and so
 * does the real server going down and coming back (TCP_CHECK's texts, with the virtual server's quorum lost and
 * gained); `vigil status` counts what was sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, VIGIL, type Daemon, stopDaemons } from './daemons.js';
import { startSinkIn } from './mail-sink.js';

const SERVER = `
const net = require('node:net');
net.createServer((s) => { s.on('error', () => {}); s.end('hello'); }).listen(8080, '0.0.0.0', () => console.log('ready'));
`;

test('daemon e-mail alerts: VRRP transitions and a real server down and up reach the SMTP server', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'mailrs', hosts: ['lb', 'rs', 'mx'], v4Prefix: '192.168.77.X', v4Start: 97, v4PrefixLength: 27 });
  const lb = lan.host('lb');
  const rs = lan.host('rs');
  const mx = lan.host('mx');
  const vip = '192.168.77.120';
  const daemons: Daemon[] = [];
  let server: ChildProcess | undefined;
  const startServer = async () => {
    server = lan.spawn(rs.ns, [process.execPath, '-e', SERVER]);
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'ready');
  };
  try {
    const sink = await startSinkIn(lan, mx.ns, mx.ipv4, 2525);
    await startServer();
    const config = `global_defs {
  router_id lb-rs
  lvs_backend nftables
  notification_email {
    ops@example.org
  }
  notification_email_from vigil@lb.example.org
  smtp_server ${mx.ipv4} 2525
  smtp_connect_timeout 5
  smtp_alert
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 97
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${vip}/27
  }
}
virtual_server ${vip} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${rs.ipv4} 8080 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`;
    const d = startDaemon(lan, lb, 'vigil', config);
    daemons.push(d);
    const subjects = () => sink.mails.map((m) => /\r\nSubject: ([^\r]*)/.exec(m.data)?.[1] ?? '?');
    const body = (subject: string) => sink.mails.find((m) => m.data.includes(`\r\nSubject: ${subject}\r\n`))?.data.split('\r\n\r\n')[1];
    const describe = () => `${JSON.stringify(subjects())}\n${d.log().slice(-3000)}`;
    const has = (s: string) => subjects().includes(s);
    await eventually(async () => has('[lb-rs] VRRP Instance VI_1 - Entering MASTER state'), 15_000, describe, 200);
    assert.equal(subjects()[0], '[lb-rs] VRRP Instance VI_1 - Entering BACKUP state');
    const rsDown = `[lb-rs] Realserver [${rs.ipv4}]:tcp:8080 of virtual server [${vip}]:tcp:80 - DOWN`;
    const rsUp = `[lb-rs] Realserver [${rs.ipv4}]:tcp:8080 of virtual server [${vip}]:tcp:80 - UP`;
    const vsDown = `[lb-rs] Virtualserver [${vip}]:tcp:80 - DOWN`;
    const vsUp = `[lb-rs] Virtualserver [${vip}]:tcp:80 - UP`;
    // The checker's first success says nothing (it started up, as keepalived's do without alpha).
    assert.ok(!subjects().some((s) => s.includes('Realserver')), describe());

    server!.kill('SIGKILL');
    await eventually(async () => has(rsDown) && has(vsDown), 10_000, describe, 200);
    assert.equal(body(rsDown), '=> TCP CHECK failed on service <=');
    assert.equal(body(vsDown), '=> Lost quorum 1+0=1 <= 0 <=');

    await startServer();
    await eventually(async () => has(rsUp) && has(vsUp), 10_000, describe, 200);
    assert.equal(body(rsUp), '=> TCP CHECK succeed on service <=');
    assert.equal(body(vsUp), '=> Gained quorum 1+0=1 <= 1 <=');
    assert.ok(sink.mails.every((m) => m.from === 'vigil@lb.example.org' && m.to.join() === 'ops@example.org'));

    const status = JSON.parse((await lan.exec(lb.ns, [VIGIL, 'status', '--json', '--socket', d.statusSocket])).stdout) as { email?: { sent: number; failed: number; queued: number } };
    assert.deepEqual(status.email, { sent: sink.mails.length, failed: 0, dropped: 0, queued: 0 });

    d.kill('SIGTERM');
    assert.equal(await d.exited(20_000), 0);
    assert.ok(has('[lb-rs] VRRP Instance VI_1 - Stopping'), describe());
  } finally {
    server?.kill('SIGKILL');
    await stopDaemons(lan, daemons);
  }
});
