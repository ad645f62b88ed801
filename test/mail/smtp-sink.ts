/**
 * An SMTP sink for the e-mail tests (smtp-server): every message it takes, with what the client said before it
 * (the HELO/EHLO name, MAIL FROM, RCPT TO). In the test process, or run as a program in a namespace
 * (`node smtp-sink.js ADDRESS PORT`), where it prints `listening` and then each message as a JSON line.
 */
import { SMTPServer } from 'smtp-server';
import { fileURLToPath } from 'node:url';
import { instanceAlert } from '../../protocol/alert-mail.js';
import type { OutgoingMail } from '../../transport/mail-transport.js';

export interface ReceivedMail {
  /** HELO or EHLO. */
  readonly opening: string;
  /** The name the client gave with it. */
  readonly helo: string;
  readonly from: string;
  readonly to: readonly string[];
  /** The DATA text, as received (up to the "." line). */
  readonly data: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Messages taken, or refused with `refuse` (then nothing is recorded). */
  refuse: boolean;
  close(): Promise<void>;
}

/** The alert the e-mail tests send: lb1's VI_1 becoming MASTER, to two recipients, through 127.0.0.1:port. */
export function alertMail(port: number, timeoutMs = 5_000): OutgoingMail {
  return {
    server: { host: '127.0.0.1', port },
    helo: 'lb1.example.org',
    from: 'keepalived@lb1.example.org',
    to: ['ops@example.org', 'noc@example.org'],
    alert: instanceAlert('lb1', 'VI_1', 'MASTER'),
    timeoutMs,
  };
}

export async function startSink(host = '127.0.0.1', port = 0, onMail?: (mail: ReceivedMail) => void): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const sink = { port: 0, received, refuse: false, close: async () => undefined } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuse) {
          callback(new Error('refused by the test'));
          return;
        }
        const env = session.envelope;
        const mail: ReceivedMail = {
          opening: session.openingCommand,
          helo: session.hostNameAppearsAs,
          from: env.mailFrom === false ? '' : env.mailFrom.address,
          to: env.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('latin1'),
        };
        received.push(mail);
        onMail?.(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.server.address();
  (sink as { port: number }).port = typeof address === 'object' && address !== null ? address.port : port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

// Only with its two arguments: the test runner runs every file under dist/test/ as a test, with none.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.length >= 4) {
  const [host, port] = [process.argv[2]!, Number(process.argv[3])];
  await startSink(host, port, (mail) => process.stdout.write(`${JSON.stringify(mail)}\n`));
  process.stdout.write('listening\n');
}
