/**
 * Mail sent off the VRRP thread: a worker thread (./smtp-worker.ts), started with the first message, sends each
 * one with nodemailer. A message the thread has not answered well after its timeouts (the thread is stuck) fails,
 * and the thread is replaced for the next one.
 */
import { Worker } from 'node:worker_threads';
import type { MailTransport, OutgoingMail } from '../mail-transport.js';
import type { MailAnswer, MailRequest } from './smtp-worker.js';

const WORKER_URL = new URL('./smtp-worker.js', import.meta.url);

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** What one message may take at most: the connection, the greeting, each of ~6 replies, then some slack. */
export function sendLimitMs(timeoutMs: number): number {
  return timeoutMs * 8 + 5_000;
}

export class SmtpMailTransport implements MailTransport {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly entry: URL = WORKER_URL) {}

  send(mail: OutgoingMail): Promise<void> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failAll(new Error(`the mail thread did not answer within ${sendLimitMs(mail.timeoutMs)} ms`));
        void this.stop();
      }, sendLimitMs(mail.timeoutMs));
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, mail } satisfies MailRequest);
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('vigil is stopping'));
    await this.stop();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.entry);
    worker.unref();
    worker.on('message', (answer: MailAnswer) => {
      const p = this.pending.get(answer.id);
      if (!p) return;
      this.pending.delete(answer.id);
      clearTimeout(p.timer);
      if (answer.ok) p.resolve();
      else p.reject(new Error(answer.error));
    });
    const gone = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new Error(why));
    };
    worker.on('error', (err) => gone(`the mail thread failed: ${err.message}`));
    worker.on('exit', (code) => gone(`the mail thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }
}
