/**
 * E-mail alerts, vigil against keepalived 2.2.7: the same configuration (an instance in a sync group, both with
 * smtp_alert, through global_defs smtp_alert) on the same host, one daemon after the other, through start
 * (BACKUP), election (MASTER) and SIGTERM (STOP), into one SMTP sink. The messages must be the same byte for byte
 * but the Date: header, and so must the HELO name, MAIL FROM and RCPT TO. Two differences are allowed and asserted:
 * keepalived opens with HELO, vigil's SMTP client (nodemailer) with EHLO; keepalived's "Stopping" alerts (it asks
 * for them in notify_shutdown) never arrive, its process ends before they are sent, where vigil's do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable, createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, startDaemon, type Daemon, stopDaemons } from './daemons.js';
import type { ReceivedMail } from '../mail/smtp-sink.js';
import { startSinkIn } from './mail-sink.js';

/** A message without its Date: header, and with what the client said before it. */
const comparable = (m: ReceivedMail) => ({ helo: m.helo, from: m.from, to: m.to, data: m.data.replace(/^Date: [^\r]*\r\n/, 'Date: *\r\n') });

test('e-mail alerts: vigil sends what keepalived 2.2.7 sends, byte for byte but the date', { timeout: 180_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'))) return;
  const lan = await createLan({ name: 'mail', hosts: ['lb', 'mx'], v4Prefix: '192.168.77.X', v4Start: 225, v4PrefixLength: 27 });
  const lb = lan.host('lb');
  const mx = lan.host('mx');
  const daemons: Daemon[] = [];
  try {
    const sink = await startSinkIn(lan, mx.ns, mx.ipv4, 2525);
    const config = `global_defs {
  router_id lb-diff
  notification_email {
    ops@example.org
    noc@example.org
  }
  notification_email_from keepalived@lb.example.org
  smtp_server ${mx.ipv4} 2525
  smtp_helo_name lb.example.org
  smtp_connect_timeout 5
  smtp_alert
}
vrrp_sync_group G1 {
  group {
    VI_1
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 77
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.168.77.250/27
  }
}
`;
    const run = async (kind: 'keepalived' | 'vigil'): Promise<ReceivedMail[]> => {
      const from = sink.mails.length;
      const d = startDaemon(lan, lb, kind, config);
      daemons.push(d);
      const got = () => sink.mails.slice(from);
      const subjects = () => got().map((m) => /\r\nSubject: ([^\r]*)/.exec(m.data)?.[1] ?? '?');
      const has = (what: string) => subjects().some((s) => s.includes(what));
      const describe = () => `${kind}: ${JSON.stringify(subjects())}\n${d.log().slice(-2000)}`;
      await eventually(async () => has('VRRP Instance VI_1 - Entering MASTER state') && has('VRRP Group G1 - Entering MASTER state'), 15_000, describe, 200);
      // The daemon itself (keepalived's parent: it stops its VRRP child).
      d.proc.kill('SIGTERM');
      await d.exited(20_000);
      // What a stop sends, if anything, comes right away: given a moment.
      await delay(2_000);
      return got();
    };
    const keepalived = await run('keepalived');
    const vigil = await run('vigil');
    const subjectsOf = (mails: ReceivedMail[]) => mails.map((m) => /\r\nSubject: ([^\r]*)/.exec(m.data)?.[1]).sort();
    assert.ok(keepalived.length >= 2, `keepalived sent ${JSON.stringify(subjectsOf(keepalived))}`);
    // Each connection of keepalived's is an alert of its own, sent at once: the order they arrive in is not theirs.
    const sorted = (mails: ReceivedMail[]) => mails.map(comparable).sort((a, b) => a.data.localeCompare(b.data));
    const isStop = (m: ReceivedMail) => /\r\nSubject: [^\r]* - Stopping\r\n/.test(m.data);
    assert.deepEqual(keepalived.filter(isStop), [], 'keepalived 2.2.7 exits before its Stopping alerts go out');
    assert.deepEqual(subjectsOf(vigil.filter(isStop)), ['[lb-diff] VRRP Group G1 - Stopping', '[lb-diff] VRRP Instance VI_1 - Stopping']);
    const started = vigil.filter((m) => !isStop(m));
    assert.deepEqual(subjectsOf(started), subjectsOf(keepalived));
    assert.deepEqual(sorted(started), sorted(keepalived));
    assert.ok(keepalived.every((m) => m.opening === 'HELO'));
    assert.ok(vigil.every((m) => m.opening === 'EHLO'));
    t.diagnostic(`both sent: ${JSON.stringify(subjectsOf(keepalived))}`);
  } finally {
    await stopDaemons(lan, daemons);
  }
});
