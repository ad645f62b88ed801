/**
 * The node's outgoing alerts, one at a time in the order they were raised: each tried up to 1 + 3 times (after
 * 2 s, 4 s, 8 s), what is waiting bounded (64; when full the oldest waiting goes, counted as dropped). Nothing here
 * waits on the SMTP server: the transport sends off the VRRP thread, and a failure is a line in the log.
 *
 * keepalived tries each alert once, on its own thread of its scheduler; a retry is vigil's.
 */
import type { Clock, TimerId } from '../../machines/clock.js';
import type { MailTransport, OutgoingMail } from '../../transport/mail-transport.js';
import type { DaemonLog } from '../environment.js';

export interface MailQueueOptions {
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly log: DaemonLog;
  /** How many alerts may wait (default 64). */
  readonly capacity?: number | undefined;
  /** The delays before each retry (default 2 s, 4 s, 8 s: three retries). */
  readonly retryDelaysMs?: readonly number[] | undefined;
}

/** What the queue has done: the status and /metrics (vigil_email_*). */
export interface MailStats {
  /** Taken by the server. */
  readonly sent: number;
  /** Given up after every try, or dropped from a full queue, or left unsent at stop. */
  readonly failed: number;
  /** Of the failed: dropped from a full queue. */
  readonly dropped: number;
  /** Waiting or being sent now. */
  readonly queued: number;
}

export const MAIL_QUEUE_CAPACITY = 64;
export const MAIL_RETRY_DELAYS_MS: readonly number[] = [2_000, 4_000, 8_000];

const describe = (mail: OutgoingMail): string => `e-mail "${mail.alert.subject}" to ${mail.server.host}:${mail.server.port}`;

export class MailQueue {
  private readonly waiting: OutgoingMail[] = [];
  private current: { mail: OutgoingMail; attempt: number } | undefined;
  private retryTimer: TimerId | undefined;
  private sent = 0;
  private failed = 0;
  private dropped = 0;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(private readonly options: MailQueueOptions) {}

  enqueue(mail: OutgoingMail): void {
    if (this.closed) return;
    const capacity = this.options.capacity ?? MAIL_QUEUE_CAPACITY;
    if (this.waiting.length >= capacity) {
      const oldest = this.waiting.shift()!;
      this.failed++;
      this.dropped++;
      this.options.log.warn(`${describe(oldest)} dropped: ${capacity} alerts are waiting already`);
    }
    this.waiting.push(mail);
    this.next();
  }

  stats(): MailStats {
    return { sent: this.sent, failed: this.failed, dropped: this.dropped, queued: this.waiting.length + (this.current ? 1 : 0) };
  }

  /** Resolves once nothing is waiting or being sent (tests; the daemon's stop, within its bound). */
  whenIdle(): Promise<void> {
    if (this.current === undefined && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** No more alerts: what waits fails, the transport closes (a message under way fails with it). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const left = this.waiting.length + (this.current ? 1 : 0);
    if (left > 0) this.options.log.warn(`${left} e-mail alert(s) not sent: vigil is stopping`);
    this.failed += left;
    this.waiting.length = 0;
    this.current = undefined;
    await this.options.transport.close();
    this.settle();
  }

  private next(): void {
    if (this.current !== undefined || this.closed) return;
    const mail = this.waiting.shift();
    if (mail === undefined) {
      this.settle();
      return;
    }
    this.current = { mail, attempt: 0 };
    this.attempt();
  }

  private attempt(): void {
    const current = this.current;
    if (current === undefined) return;
    this.options.transport.send(current.mail).then(
      () => {
        if (this.current !== current) return;
        this.sent++;
        this.current = undefined;
        this.next();
      },
      (err: unknown) => {
        if (this.current !== current) return;
        const delays = this.options.retryDelaysMs ?? MAIL_RETRY_DELAYS_MS;
        const why = err instanceof Error ? err.message : String(err);
        const delay = delays[current.attempt];
        if (delay === undefined) {
          this.failed++;
          this.options.log.error(`${describe(current.mail)} not sent after ${current.attempt + 1} tries: ${why}`);
          this.current = undefined;
          this.next();
          return;
        }
        this.options.log.warn(`${describe(current.mail)} failed (${why}); retrying in ${delay / 1000} s`);
        current.attempt++;
        this.retryTimer = this.options.clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.attempt();
        }, delay);
      },
    );
  }

  private settle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
