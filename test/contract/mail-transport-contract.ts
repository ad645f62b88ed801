/**
 * The MailTransport contract (transport/mail-transport.ts), judged from the SMTP server's side: what an SMTP server
 * on loopback took (test/mail/smtp-sink.ts, smtp-server), a server that never greets, a port nobody listens at.
 * The simulator sends no mail: the suite runs on the real sender (transport/real/smtp-mail-transport.ts) and on
 * broken ones, which must fail it.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { instanceAlert, messageText } from '../../protocol/alert-mail.js';
import type { MailTransport } from '../../transport/mail-transport.js';
import type { ContractCase } from './contract.js';
import { alertMail, type SmtpSink } from '../mail/smtp-sink.js';

export interface MailTransportRig {
  readonly transport: MailTransport;
  /** An SMTP server on 127.0.0.1 that takes every message, or refuses each one after its DATA (`refuse`). */
  readonly sink: SmtpSink;
  /** A port on 127.0.0.1 that accepts connections and never says a word. */
  readonly silentPort: number;
  /** A port on 127.0.0.1 nobody listens at. */
  readonly closedPort: number;
  /** Closes the transport (if the case has not) and the servers. */
  close(): Promise<void>;
}

const mail = alertMail;

/** How a send ended, or 'pending' after `boundMs` (a bound for a broken transport, not a speed goal). */
async function outcome(send: Promise<void>, boundMs = 20_000): Promise<'sent' | 'failed' | 'pending'> {
  const ended = send.then(
    () => 'sent' as const,
    () => 'failed' as const,
  );
  const bound = delay(boundMs).then(() => 'pending' as const);
  return Promise.race([ended, bound]);
}

export const mailTransportContract: readonly ContractCase<MailTransportRig>[] = [
  {
    name: "a message goes as keepalived sends it: the HELO name, MAIL FROM, RCPT TO each, the alert's text with Date:, and the server has it when send resolves",
    async check(rig) {
      try {
        await rig.transport.send(mail(rig.sink.port, 10_000));
        assert.equal(rig.sink.received.length, 1, 'taken by the server before send resolved');
        const got = rig.sink.received[0]!;
        assert.equal(got.helo, 'lb1.example.org');
        assert.equal(got.from, 'keepalived@lb1.example.org');
        assert.deepEqual(got.to, ['ops@example.org', 'noc@example.org']);
        const date = /^Date: ([^\r]+)\r\n/.exec(got.data)?.[1];
        assert.ok(date !== undefined, 'a Date: header first');
        const expected = messageText({ date, from: 'keepalived@lb1.example.org', to: ['ops@example.org', 'noc@example.org'], alert: instanceAlert('lb1', 'VI_1', 'MASTER') });
        assert.equal(got.data, expected);
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'a server that refuses the message: send rejects, and nothing was taken',
    async check(rig) {
      try {
        rig.sink.refuse = true;
        assert.equal(await outcome(rig.transport.send(mail(rig.sink.port, 10_000))), 'failed');
        assert.equal(rig.sink.received.length, 0);
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'a server that never greets, or no server at all: send rejects (smtp_connect_timeout bounds the wait)',
    async check(rig) {
      try {
        assert.equal(await outcome(rig.transport.send(mail(rig.silentPort, 500))), 'failed', 'a silent server');
        assert.equal(await outcome(rig.transport.send(mail(rig.closedPort, 500))), 'failed', 'a closed port');
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'close ends a send under way: it rejects, long before its timeout',
    async check(rig) {
      try {
        const ended = outcome(rig.transport.send(mail(rig.silentPort, 600_000)));
        await delay(200);
        await rig.transport.close();
        assert.equal(await ended, 'failed');
      } finally {
        await rig.close();
      }
    },
  },
];
