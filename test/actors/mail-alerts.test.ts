/**
 * Which e-mail alerts a node sends, as keepalived decides (vrrp_notify.c): on a simulated host and virtual time,
 * with a transport that records. Global smtp_alert and an instance's own smtp_alert off; each state once, BACKUP
 * again after a MASTER; no_email_faults; a reload's removal as "Deleted" with notify_deleted, else as FAULT; STOP at
 * the end; and nothing at all without smtp_server.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { VRRP_MULTICAST_V4 } from '../../protocol/vrrp-types.js';
import type { OutgoingMail } from '../../transport/mail-transport.js';
import { simulatedDaemon, type SimulatedDaemon } from '../daemon/simulated-daemon.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface World extends SimulatedDaemon {
  readonly mails: OutgoingMail[];
  readonly subjects: () => string[];
  /** An advertisement from the peer (192.168.77.12) for VRID 1 at that priority. */
  advert(priority: number): void;
}

function world(t: TestContext, text: string, transport?: { send(m: OutgoingMail): Promise<void>; close(): Promise<void> }): World {
  const mails: OutgoingMail[] = [];
  const d = simulatedDaemon(text, {
    environment: ({ clock }) => ({
      processes: new SimulatedProcessRunner(clock, () => {}, 10),
      mail: {
        transport: transport ?? { send: async (m) => void mails.push(m), close: async () => undefined },
        host: { hostName: 'lb1.example.org', userName: 'root' },
      },
    }),
  });
  t.after(d.remove);
  const peer = new SimHost('peer', 1);
  peer.addInterface('eth0', d.segment, [{ address: '192.168.77.12', prefix: 24, family: 4 }]);
  const channel = peer.open({ interface: 'eth0', family: 4, sourceAddress: '192.168.77.12', unicastPeers: [] });
  return {
    ...d,
    mails,
    subjects: () => mails.map((m) => m.alert.subject),
    advert: (priority) =>
      channel.send(
        VRRP_MULTICAST_V4,
        encodeAdvertisement(
          { version: 2, vrid: 1, priority, intervalCs: 100, family: 4, addresses: ['192.168.77.101'], authType: 0, authPassword: '' },
          { source: '192.168.77.12', destination: VRRP_MULTICAST_V4 },
        ),
      ),
  };
}

const globals = (extra = '') => `global_defs {
  notification_email {
    ops@example.org
  }
  smtp_server 192.168.77.25
  smtp_alert
${extra}}
`;

function instance(name: string, vrid: number, body = ''): string {
  return `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.168.77.${100 + vrid}/24
  }
${body}
}
`;
}

test('each state an instance enters, once, with keepalived\'s defaults for the envelope; an instance with smtp_alert off is silent', async (t) => {
  const w = world(t, globals() + instance('VI_1', 1) + instance('VI_2', 2, '  smtp_alert off'));
  await w.daemon.start();
  await w.advance(5000);
  assert.deepEqual(w.subjects(), ['[lb1.example.org] VRRP Instance VI_1 - Entering BACKUP state', '[lb1.example.org] VRRP Instance VI_1 - Entering MASTER state']);
  const m = w.mails[0]!;
  // keepalived: router_id and smtp_helo_name default to the host's name, notification_email_from to USER@HOST.
  assert.deepEqual({ server: m.server, helo: m.helo, from: m.from, to: m.to, timeoutMs: m.timeoutMs }, {
    server: { host: '192.168.77.25', port: 25 },
    helo: 'lb1.example.org',
    from: 'root@lb1.example.org',
    to: ['ops@example.org'],
    timeoutMs: 30_000,
  });
  // A higher priority takes over: BACKUP again (not the same state twice in a row, but again after MASTER).
  for (let i = 0; i < 5; i++) {
    w.advert(200);
    await w.advance(1000);
  }
  assert.equal(w.subjects().at(-1), '[lb1.example.org] VRRP Instance VI_1 - Entering BACKUP state');
  assert.equal(w.mails.length, 3);
  await w.stop();
  assert.deepEqual(w.subjects().slice(3), ['[lb1.example.org] VRRP Instance VI_1 - Stopping']);
  assert.equal(w.daemon.status().email?.sent, 4);
});

test('a reload removing instances: "Deleted" with notify_deleted, else FAULT; no_email_faults keeps FAULT quiet', async (t) => {
  const named = globals('  router_id lb-test\n  notification_email_from vigil@example.org\n  smtp_helo_name helo.example.org\n  smtp_connect_timeout 3\n');
  const w = world(t, named + instance('VI_1', 1, '  notify_deleted') + instance('VI_2', 2) + instance('VI_3', 3));
  await w.daemon.start();
  await w.advance(5000);
  assert.equal(w.mails.length, 6);
  assert.deepEqual({ helo: w.mails[0]!.helo, from: w.mails[0]!.from, timeoutMs: w.mails[0]!.timeoutMs }, { helo: 'helo.example.org', from: 'vigil@example.org', timeoutMs: 3000 });
  w.write(named + instance('VI_3', 3));
  const reloading = w.daemon.reload();
  await w.advance(50);
  assert.ok((await reloading).ok);
  await w.advance(100);
  assert.deepEqual(w.subjects().slice(6).sort(), ['[lb-test] VRRP Instance VI_1 - Deleted', '[lb-test] VRRP Instance VI_2 - Entering FAULT state']);
  const count = w.mails.length;
  // With no_email_faults the removal of an instance without notify_deleted sends nothing.
  w.write(globals('  router_id lb-test\n  no_email_faults\n') + instance('VI_4', 4));
  const again = w.daemon.reload();
  await w.advance(50);
  assert.ok((await again).ok);
  await w.advance(5000);
  assert.deepEqual(w.subjects().slice(count), ['[lb-test] VRRP Instance VI_4 - Entering BACKUP state', '[lb-test] VRRP Instance VI_4 - Entering MASTER state']);
  await w.stop();
});

test('a sync group mails as "VRRP Group"; no smtp_server, no e-mail at all', async (t) => {
  const group = 'vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n}\n';
  const w = world(t, globals('  smtp_alert_vrrp off\n') + group.replace('}\n}', '}\n  smtp_alert on\n}') + instance('VI_1', 1));
  await w.daemon.start();
  await w.advance(5000);
  // smtp_alert_vrrp off wins over smtp_alert for the instance; the group has its own smtp_alert.
  assert.deepEqual(w.subjects(), ['[lb1.example.org] VRRP Group G1 - Entering BACKUP state', '[lb1.example.org] VRRP Group G1 - Entering MASTER state']);
  assert.equal(w.mails[1]!.alert.body, '=> All VRRP group instances are now in MASTER state <=');
  await w.stop();

  const silent = world(t, globals().replace('  smtp_server 192.168.77.25\n', '') + instance('VI_1', 1));
  await silent.daemon.start();
  await silent.advance(5000);
  await silent.stop();
  assert.deepEqual(silent.mails, []);
  assert.equal(silent.daemon.status().email, undefined);
});

test('an SMTP server that never answers: VRRP keeps its times, alerts wait (the oldest dropped past 64), a stop waits 5 s for them at most', async (t) => {
  const tried: string[] = [];
  const hanging = { send: (m: OutgoingMail) => (tried.push(m.alert.subject), new Promise<void>(() => undefined)), close: async () => undefined };
  const w = world(t, globals() + instance('VI_1', 1), hanging);
  await w.daemon.start();
  await w.advance(3500);
  assert.equal(w.daemon.status().instances[0]!.state, 'BACKUP');
  // Master_Down_Interval for priority 100: 3 × 1 s + (256 − 100)/256 s ≈ 3.61 s: the hanging first alert changes nothing.
  await w.advance(200);
  assert.equal(w.daemon.status().instances[0]!.state, 'MASTER');
  // A peer takes over and goes away, 40 times: 80 more alerts, one being "sent" (hanging), 64 waiting.
  for (let i = 0; i < 40; i++) {
    w.advert(200);
    await w.advance(100);
    await w.advance(4000);
  }
  assert.equal(w.daemon.status().instances[0]!.state, 'MASTER');
  assert.deepEqual(w.daemon.status().email, { sent: 0, failed: 17, dropped: 17, queued: 65 });
  assert.equal(tried.length, 1, 'one at a time: the rest wait behind the one that hangs');
  const before = w.clock.now();
  await w.stop();
  const took = w.clock.now() - before;
  assert.ok(took >= 5000 && took < 7000, `the stop waited ${took} ms`);
  // The Stopping alert could not get in either: the queue was full; every alert left is counted as not sent.
  assert.deepEqual(w.daemon.status().email, { sent: 0, failed: 83, dropped: 18, queued: 0 });
});
