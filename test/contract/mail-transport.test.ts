/**
 * The MailTransport contract (mail-transport-contract.ts) on the real sender (a worker thread with nodemailer) into
 * SMTP servers on loopback; broken senders must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { SmtpMailTransport } from '../../transport/real/smtp-mail-transport.js';
import type { MailTransport } from '../../transport/mail-transport.js';
import { startSink } from '../mail/smtp-sink.js';
import { failingCases, runContract } from './contract.js';
import { mailTransportContract, type MailTransportRig } from './mail-transport-contract.js';

type Fault = 'resolves at once' | 'first recipient only' | 'failures swallowed' | 'close leaves sends';

function broken(inner: MailTransport, fault: Fault): MailTransport {
  switch (fault) {
    case 'resolves at once':
      return { send: (m) => (inner.send(m).catch(() => undefined), Promise.resolve()), close: () => inner.close() };
    case 'first recipient only':
      return { send: (m) => inner.send({ ...m, to: m.to.slice(0, 1) }), close: () => inner.close() };
    case 'failures swallowed':
      return { send: (m) => inner.send(m).catch(() => undefined), close: () => inner.close() };
    case 'close leaves sends':
      // Its sends are cut only by the rig's own cleanup, after the case.
      return { send: (m) => inner.send(m), close: async () => undefined };
  }
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

function rig(fault?: Fault): () => Promise<MailTransportRig> {
  return async () => {
    const sink = await startSink();
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    const silentPort = await listen(silent);
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const real = new SmtpMailTransport();
    return {
      transport: fault === undefined ? real : broken(real, fault),
      sink,
      silentPort,
      closedPort,
      async close() {
        await real.close();
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
        await sink.close();
      },
    };
  };
}

test('mail transport contract: SMTP over a worker thread (nodemailer)', { timeout: 180_000 }, async (t) => {
  await runContract(t, mailTransportContract, rig());
});

test('mail transport contract: broken senders fail it', { timeout: 300_000 }, async () => {
  const [sends, refused, unreachable, closing] = mailTransportContract.map((c) => c.name);
  assert.deepEqual(await failingCases(mailTransportContract, rig('resolves at once')), [sends, refused, unreachable, closing]);
  assert.deepEqual(await failingCases(mailTransportContract, rig('first recipient only')), [sends]);
  assert.deepEqual(await failingCases(mailTransportContract, rig('failures swallowed')), [refused, unreachable, closing]);
  assert.deepEqual(await failingCases(mailTransportContract, rig('close leaves sends')), [closing]);
});
