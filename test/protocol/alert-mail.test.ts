/**
 * keepalived 2.2.7's e-mail alerts, as its smtp.c and callers write them: subjects, bodies, the Date: header, the
 * To: header and the DATA text with keepalived's buffer limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkerBody,
  groupAlert,
  instanceAlert,
  messageText,
  quorumAlert,
  realServerAlert,
  realServerRemovedAlert,
  rfc2822Date,
  serviceTrio,
  toHeader,
  virtualServerText,
} from '../../protocol/alert-mail.js';

test('instance alerts: one subject and body per state, as vrrp_smtp_notifier', () => {
  assert.deepEqual(instanceAlert('lb1', 'VI_1', 'MASTER'), {
    subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
  });
  assert.deepEqual(instanceAlert('lb1', 'VI_1', 'BACKUP'), {
    subject: '[lb1] VRRP Instance VI_1 - Entering BACKUP state',
    body: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  });
  assert.equal(instanceAlert('lb1', 'VI_1', 'FAULT').subject, '[lb1] VRRP Instance VI_1 - Entering FAULT state');
  assert.deepEqual(instanceAlert('r', 'X', 'STOP'), { subject: '[r] VRRP Instance X - Stopping', body: '=> VRRP Instance stopping <=' });
  assert.deepEqual(instanceAlert('r', 'X', 'DELETED'), { subject: '[r] VRRP Instance X - Deleted', body: '=> VRRP Deleted at reload <=' });
});

test('sync group alerts: "VRRP Group", and none for DELETED', () => {
  assert.deepEqual(groupAlert('r', 'G1', 'MASTER'), {
    subject: '[r] VRRP Group G1 - Entering MASTER state',
    body: '=> All VRRP group instances are now in MASTER state <=',
  });
  assert.equal(groupAlert('r', 'G1', 'STOP')?.body, '=> All VRRP group instances are now stopping <=');
  assert.equal(groupAlert('r', 'G1', 'DELETED'), undefined);
});

test('checker alerts: the real server trio, the virtual server as format_vs, UP/DOWN of the real server', () => {
  const rs = serviceTrio('192.168.77.10', 'tcp', 8080);
  assert.equal(rs, '[192.168.77.10]:tcp:8080');
  const vs = virtualServerText({ kind: 'address', address: 'fd77::1', protocol: 'udp', port: 53 });
  assert.equal(vs, '[fd77::1]:udp:53');
  assert.equal(virtualServerText({ kind: 'fwmark', fwmark: 7 }), 'FWM 7');
  assert.equal(virtualServerText({ kind: 'group', name: 'web', port: 80 }), '[web]:80');
  assert.deepEqual(realServerAlert('lb', rs, vs, false, checkerBody('tcp', false)), {
    subject: '[lb] Realserver [192.168.77.10]:tcp:8080 of virtual server [fd77::1]:udp:53 - DOWN',
    body: '=> TCP CHECK failed on service <=',
  });
  assert.equal(checkerBody('http', false), '=> CHECK failed on service : HTTP request failed <=');
  assert.equal(checkerBody('ssl', true), '=> CHECK succeed on service <=');
  assert.equal(checkerBody('dns', true), '=> DNS_CHECK: succeed on service <=');
  assert.equal(checkerBody('ping', false), '=> ICMP CHECK failed on service <=');
  assert.equal(checkerBody('udp', true), '=> UDP CHECK succeed on service <=');
  assert.equal(checkerBody('misc', false, { timedOut: true }), '=> MISC CHECK timed out on service <=');
  assert.equal(checkerBody('misc', true), '=> MISC CHECK succeeded on service <=');
  assert.equal(checkerBody('smtp', false, { smtpError: 'Bad greeting' }), '=> CHECK failed on service : Bad greeting <=');
  assert.equal(realServerRemovedAlert('lb', rs, 'FWM 7', true).body, '=> Shutting down <=');
  assert.equal(realServerRemovedAlert('lb', rs, 'FWM 7', false).subject, '[lb] Realserver [192.168.77.10]:tcp:8080 of virtual server FWM 7 - DOWN');
});

test('quorum alerts: the threshold just crossed, and the live weight', () => {
  assert.deepEqual(quorumAlert('lb', 'FWM 1', { up: true, init: false, stopping: false, quorum: 3, hysteresis: 1, weightSum: 4 }), {
    subject: '[lb] Virtualserver FWM 1 - UP',
    body: '=> Gained quorum 3+1=4 <= 4 <=',
  });
  assert.equal(quorumAlert('lb', 'v', { up: false, init: false, stopping: false, quorum: 3, hysteresis: 1, weightSum: 1 }).body, '=> Lost quorum 3+1=2 <= 1 <=');
  assert.equal(quorumAlert('lb', 'v', { up: false, init: true, stopping: false, quorum: 1, hysteresis: 0, weightSum: 0 }).body, '=> Starting with quorum down 1+0=1 <= 0 <=');
  assert.equal(quorumAlert('lb', 'v', { up: false, init: false, stopping: true, quorum: 1, hysteresis: 0, weightSum: 0 }).body, '=> Shutting down <=');
});

test('Date: strftime %a, %d %b %Y %H:%M:%S %z in the given zone', () => {
  const at = Date.UTC(2021, 2, 1, 9, 44, 8, 999);
  assert.equal(rfc2822Date(at, 0), 'Mon, 01 Mar 2021 09:44:08 +0000');
  assert.equal(rfc2822Date(at, 60), 'Mon, 01 Mar 2021 10:44:08 +0100');
  assert.equal(rfc2822Date(at, -(9 * 60 + 30)), 'Mon, 01 Mar 2021 00:14:08 -0930');
  assert.equal(rfc2822Date(Date.UTC(2020, 11, 31, 23, 30, 0), 60), 'Fri, 01 Jan 2021 00:30:00 +0100');
});

test('To: every address joined by ", " while it fits in 1023 bytes, the ", " kept before one that does not', () => {
  assert.equal(toHeader(['a@x', 'b@y']), 'a@x, b@y');
  const long = 'l'.repeat(1000);
  assert.equal(toHeader([long, 'c'.repeat(30), 'd']), `${long}, `);
});

test('the DATA text: keepalived headers, empty line, body, empty line; subject and body cut at its limits', () => {
  const text = messageText({
    date: 'Mon, 01 Mar 2021 09:44:08 +0000',
    from: 'root@lb1',
    to: ['ops@example.org', 'noc@example.org'],
    alert: instanceAlert('lb1', 'VI_1', 'MASTER'),
  });
  assert.equal(
    text,
    'Date: Mon, 01 Mar 2021 09:44:08 +0000\r\nFrom: root@lb1\r\nSubject: [lb1] VRRP Instance VI_1 - Entering MASTER state\r\n' +
      'X-Mailer: Keepalived\r\nTo: ops@example.org, noc@example.org\r\n\r\n=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n',
  );
  const cut = messageText({ date: 'D', from: 'f', to: ['t'], alert: { subject: 's'.repeat(300), body: 'b'.repeat(600) } });
  assert.match(cut, new RegExp(`\\r\\nSubject: s{255}\\r\\n`));
  assert.match(cut, new RegExp(`\\r\\n\\r\\nb{511}\\r\\n\\r\\n$`));
});
