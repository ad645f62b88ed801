/**
 * E-mail alerts through the real sender (a worker thread with nodemailer) into an SMTP sink on loopback: what the
 * server hears is keepalived's envelope and message; a server that refuses is retried, then given up; a server that
 * never greets fails within the timeout; the queue keeps at most its capacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { SmtpMailTransport } from '../../transport/real/smtp-mail-transport.js';
import { RealClock } from '../../transport/real/real-clock.js';
import { MailQueue } from '../../actors/mail/mail-queue.js';
import { instanceAlert, messageText } from '../../protocol/alert-mail.js';
import type { OutgoingMail } from '../../transport/mail-transport.js';
import { alertMail, startSink } from './smtp-sink.js';

const log = () => {
  const lines: string[] = [];
  return { lines, debug: () => undefined, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
};

const mail = alertMail;

test('one alert: the HELO name, MAIL FROM, RCPT TO each and keepalived\'s message text, Date: stamped now', { timeout: 60_000 }, async () => {
  const sink = await startSink();
  const transport = new SmtpMailTransport();
  try {
    await transport.send(mail(sink.port));
    assert.equal(sink.received.length, 1);
    const got = sink.received[0]!;
    assert.equal(got.helo, 'lb1.example.org');
    assert.equal(got.from, 'keepalived@lb1.example.org');
    assert.deepEqual(got.to, ['ops@example.org', 'noc@example.org']);
    const date = /^Date: ([^\r]+)\r\n/.exec(got.data)?.[1];
    assert.match(date ?? '', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
    const expected = messageText({ date: date!, from: 'keepalived@lb1.example.org', to: ['ops@example.org', 'noc@example.org'], alert: instanceAlert('lb1', 'VI_1', 'MASTER') });
    assert.equal(got.data, expected, 'nothing added: no Message-ID, no MIME headers');
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('a server that refuses: tried 1 + 3 times, then counted as failed; the next alert still goes', { timeout: 60_000 }, async () => {
  const sink = await startSink();
  const l = log();
  const queue = new MailQueue({ clock: new RealClock(), transport: new SmtpMailTransport(), log: l, retryDelaysMs: [20, 20, 20] });
  try {
    sink.refuse = true;
    queue.enqueue(mail(sink.port));
    await queue.whenIdle();
    assert.deepEqual(queue.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    assert.equal(l.lines.filter((x) => x.includes('retrying')).length, 3);
    assert.match(l.lines.at(-1)!, /not sent after 4 tries: .*refused by the test/);
    sink.refuse = false;
    queue.enqueue(mail(sink.port));
    await queue.whenIdle();
    assert.deepEqual(queue.stats(), { sent: 1, failed: 1, dropped: 0, queued: 0 });
  } finally {
    await queue.close();
    await sink.close();
  }
});

test('a server that accepts and never greets: the alert fails on smtp_connect_timeout; the event loop was never held', { timeout: 60_000 }, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const port = (silent.address() as { port: number }).port;
  const transport = new SmtpMailTransport();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  try {
    await assert.rejects(transport.send(mail(port, 500)), /greeting|timeout/i);
    assert.ok(ticks > 10, `the main thread ran its timers meanwhile (${ticks} ticks)`);
  } finally {
    clearInterval(ticker);
    await transport.close();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('the queue holds at most its capacity: the oldest waiting alert is dropped and counted', async () => {
  const sent: string[] = [];
  let release: (() => void) | undefined;
  const transport = {
    send: (m: OutgoingMail) =>
      new Promise<void>((resolve) => {
        release = () => {
          sent.push(m.alert.subject);
          resolve();
        };
      }),
    close: async () => undefined,
  };
  const l = log();
  const queue = new MailQueue({ clock: new RealClock(), transport, log: l, capacity: 2 });
  const alert = (n: number): OutgoingMail => ({ ...mail(1), alert: { subject: `s${n}`, body: 'b' } });
  for (let n = 1; n <= 4; n++) queue.enqueue(alert(n));
  // s1 is being sent; s2, s3, s4 wanted to wait in a queue of 2: s2 went.
  assert.deepEqual(queue.stats(), { sent: 0, failed: 1, dropped: 1, queued: 3 });
  assert.match(l.lines[0]!, /"s2" .*dropped/);
  while (sent.length < 3) {
    release!();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(sent, ['s1', 's3', 's4']);
  assert.deepEqual(queue.stats(), { sent: 3, failed: 1, dropped: 1, queued: 0 });
});
