/**
 * The daemon's log destination: writes each line at once when the descriptor takes it, and never waits for a
 * reader. When the descriptor is full (EAGAIN: a pipe or socket nobody reads, a journald that is behind), lines
 * wait in order in a bounded queue written again every few milliseconds, and lines past the bound are dropped and
 * counted. pino's synchronous destination instead slept 100 ms per EAGAIN on the VRRP thread, for as long as the
 * reader stalled: a master whose log reader stopped stopped advertising (issue 13, Liveness).
 */
import { writeSync } from 'node:fs';

export interface NonBlockingWriterOptions {
  readonly fd: number;
  /** Bytes that may wait for the descriptor; a line beyond is dropped. Default 1 MiB. */
  readonly maxPendingBytes?: number;
  /** How long to wait before writing the waiting lines again. Default 10 ms. */
  readonly retryMs?: number;
  /** Lines were dropped and the queue has drained since: called with how many (to say so in the log). */
  readonly onDropped?: (lines: number) => void;
}

const DEFAULT_MAX_PENDING = 1 << 20;
const DEFAULT_RETRY_MS = 10;

export class NonBlockingWriter {
  readonly #fd: number;
  readonly #max: number;
  readonly #retryMs: number;
  readonly #onDropped: ((lines: number) => void) | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Lines dropped since the last onDropped. */
  #unreported = 0;
  /** Every line dropped (the queue full, or the descriptor failing for good). */
  dropped = 0;

  constructor(options: NonBlockingWriterOptions) {
    this.#fd = options.fd;
    this.#max = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
    this.#retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.#onDropped = options.onDropped;
  }

  /** Bytes waiting for the descriptor. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** pino's destination interface. Never throws, never waits. */
  write(text: string): boolean {
    const data = Buffer.from(text);
    if (this.#pending.length > 0) {
      if (this.#pendingBytes + data.length > this.#max) this.#drop();
      else this.#queue(data);
      return true;
    }
    const rest = this.#writeSome(data);
    if (rest !== undefined && rest.length > 0) {
      this.#queue(rest);
      this.#arm();
    }
    return true;
  }

  /**
   * Before an exit: waits (up to `limitMs`) for the descriptor to take what is queued, so the last lines are not
   * lost when the reader is merely slow.
   */
  flushSync(limitMs = 2000): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const until = performance.now() + limitMs;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (this.#pending.length > 0) {
      if (!this.#drain()) {
        if (performance.now() >= until) return;
        Atomics.wait(pause, 0, 0, 5);
      }
    }
    this.#reportDrops();
  }

  #queue(data: Buffer): void {
    this.#pending.push(data);
    this.#pendingBytes += data.length;
  }

  #drop(): void {
    this.dropped++;
    this.#unreported++;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#drain()) this.#reportDrops();
      else this.#arm();
    }, this.#retryMs);
    // Waiting log lines never keep a process alive: an exit flushes them (flushSync).
    this.#timer.unref();
  }

  /** Writes what is queued; true once all of it is written. */
  #drain(): boolean {
    while (this.#pending.length > 0) {
      const head = this.#pending[0]!;
      const rest = this.#writeSome(head);
      if (rest === undefined || rest.length === 0) {
        this.#pending.shift();
        this.#pendingBytes -= head.length;
        continue;
      }
      this.#pending[0] = rest;
      this.#pendingBytes -= head.length - rest.length;
      return false;
    }
    return true;
  }

  #reportDrops(): void {
    if (this.#unreported === 0) return;
    const lines = this.#unreported;
    this.#unreported = 0;
    this.#onDropped?.(lines);
  }

  /** What the descriptor did not take of `data` (undefined: all written, or dropped for an error other than EAGAIN). */
  #writeSome(data: Buffer): Buffer | undefined {
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += writeSync(this.#fd, data, offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return data.subarray(offset);
        if (code === 'EINTR') continue;
        // EPIPE, EBADF: nobody will read this descriptor again; a log must not end the daemon.
        this.#drop();
        return undefined;
      }
    }
    return undefined;
  }
}
