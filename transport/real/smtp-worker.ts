/**
 * The mail thread's entry: each message the VRRP thread posts is sent with nodemailer (loaded on the first one),
 * on a connection of its own, and answered with its outcome. An SMTP server that is slow, hangs or refuses costs
 * this thread only.
 *
 * As keepalived: no STARTTLS, no authentication; the envelope is notification_email_from and notification_email;
 * the message is keepalived's text (protocol/alert-mail.ts), stamped with the local time now. nodemailer opens
 * with EHLO (HELO when the server refuses EHLO), where keepalived says HELO.
 */
import { parentPort } from 'node:worker_threads';
import type { OutgoingMail } from '../mail-transport.js';
import { messageText, rfc2822Date } from '../../protocol/alert-mail.js';

export interface MailRequest {
  readonly id: number;
  readonly mail: OutgoingMail;
}

export type MailAnswer = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly error: string };

type Nodemailer = typeof import('nodemailer');
let nodemailer: Promise<Nodemailer> | undefined;

async function send(mail: OutgoingMail): Promise<void> {
  const mailer = await (nodemailer ??= import('nodemailer'));
  const transport = mailer.createTransport({
    host: mail.server.host,
    port: mail.server.port,
    secure: false,
    ignoreTLS: true,
    name: mail.helo,
    connectionTimeout: mail.timeoutMs,
    greetingTimeout: mail.timeoutMs,
    socketTimeout: mail.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const now = new Date();
    const text = messageText({ date: rfc2822Date(now.getTime(), -now.getTimezoneOffset()), from: mail.from, to: mail.to, alert: mail.alert });
    await transport.sendMail({ envelope: { from: mail.from, to: [...mail.to] }, raw: text });
  } finally {
    transport.close();
  }
}

parentPort?.on('message', (request: MailRequest) => {
  send(request.mail).then(
    () => parentPort?.postMessage({ id: request.id, ok: true } satisfies MailAnswer),
    (err: unknown) => parentPort?.postMessage({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies MailAnswer),
  );
});
