/** The SMTP sink of test/mail/smtp-sink.ts run in a namespace of a test LAN: the messages it takes, as they come. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Lan } from '../netns/harness.js';
import type { ReceivedMail } from '../mail/smtp-sink.js';
import { ROOT } from './daemons.js';

const SINK = join(ROOT, 'dist/test/mail/smtp-sink.js');

export interface Sink {
  readonly mails: ReceivedMail[];
}

export async function startSinkIn(lan: Lan, ns: string, address: string, port: number): Promise<Sink> {
  const child = lan.spawn(ns, [process.execPath, SINK, address, String(port)]);
  const mails: ReceivedMail[] = [];
  let buffered = '';
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  child.stdout!.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'listening') ready();
      else if (line.startsWith('{')) mails.push(JSON.parse(line) as ReceivedMail);
    }
  });
  await Promise.race([listening, once(child, 'exit').then(() => assert.fail('the SMTP sink exited'))]);
  return { mails };
}

