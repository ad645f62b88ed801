/**
 * The daemon's log: pino on stderr, loaded only once the instances have started. pino and its streams cost about
 * 12 ms of a start, all before the first advertisement; a line logged before then waits here with its time and
 * is written, in order and with that time, as soon as pino is there: when the daemon has started, when a start
 * fails, or after a second at the latest (a start stuck somewhere still shows what it said).
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { DaemonLog } from '../actors/environment.js';
import { NonBlockingWriter } from '../transport/real/nonblocking-writer.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const LATEST_LOAD_MS = 1000;

export class DeferredPinoLog implements DaemonLog {
  #logger: Logger | undefined;
  #writer: NonBlockingWriter | undefined;
  #pending: { level: Level; message: string; time: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly level: 'debug' | 'info',
    private readonly pid: number,
  ) {
    this.#timer = setTimeout(() => this.load(), LATEST_LOAD_MS);
    this.#timer.unref();
  }

  debug(message: string): void {
    this.#write('debug', message);
  }
  info(message: string): void {
    this.#write('info', message);
  }
  warn(message: string): void {
    this.#write('warn', message);
  }
  error(message: string): void {
    this.#write('error', message);
  }

  /** Loads pino (synchronously) and writes the lines that waited. */
  load(): void {
    if (this.#logger) return;
    clearTimeout(this.#timer);
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    // pino's own epoch timestamp, except that a waiting line keeps the time it was logged at.
    let replayed: number | undefined;
    // Written at once, as keepalived's syslog(): lines stay in order with the one-line errors written straight
    // to stderr (after a flush), and none is lost when the process exits (pino's default asynchronous stream can
    // write a line still in flight after the ones flushed at exit, or not at all). But never waiting for a reader
    // that does not read (transport/real/nonblocking-writer.ts): that held the VRRP thread.
    const writer = new NonBlockingWriter({
      fd: 2,
      onDropped: (lines) => this.#logger?.warn(`${lines} log line(s) dropped: standard error was not being read`),
    });
    const logger = pino({ level: this.level, base: { pid: this.pid }, timestamp: () => `,"time":${replayed ?? Date.now()}` }, writer);
    for (const line of this.#pending) {
      replayed = line.time;
      logger[line.level](line.message);
    }
    replayed = undefined;
    this.#pending = [];
    this.#logger = logger;
    this.#writer = writer;
  }

  /** Everything logged so far reaches stderr (before an exit). */
  flush(): void {
    this.load();
    this.#writer?.flushSync();
  }

  #write(level: Level, message: string): void {
    if (this.#logger) this.#logger[level](message);
    else if (RANK[level] >= RANK[this.level]) this.#pending.push({ level, message, time: Date.now() });
  }
}
