/**
 * One peer of a site: a daemon's HTTP endpoint (`vigil run --http`), read as its own page does, with the token
 * its endpoint requires. It estimates the peer's clock offset (`/clock`, a few samples before the stream, then one
 * every `resampleMs`), reads its records (`/events?format=msgpack`, observe/peer-stream.ts) from where it left
 * off, and tells the site what it hears. A peer that does not answer, closes the stream, or says nothing (not
 * even its tick) for `silenceMs` is unreachable; the link tries again, waiting longer each time up to
 * `maxBackoffMs`. A peer whose incarnation changed (restarted) is read from its first record again.
 *
 * Timers run on the injected clock; the requests are fetch's (injectable too).
 */
import type { Clock, TimerId } from '../../machines/clock.js';
import { FrameReader } from '../msgpack-frames.js';
import type { ObservedEvent } from '../observed-event.js';
import type { PeerClock, PeerFrame } from '../peer-stream.js';
import { ClockOffsetEstimator, type OffsetEstimate } from './clock-offset.js';

export type PeerState = 'connecting' | 'live' | 'unreachable';

export interface PeerLinkEvents {
  /** The stream is open: the peer's node, and whether this is another incarnation than the one read before. */
  connected(node: string, restarted: boolean): void;
  /** A record, its time on the peer's clock. */
  record(event: ObservedEvent): void;
  /** The backlog asked for is in; what follows is live. */
  caughtUp(): void;
  /** The peer's clock passed `now` with nothing more to tell before it. */
  tick(now: number): void;
  /** The link became unreachable (`lastHeard`: this clock's time of the last byte from the peer, if any). */
  unreachable(error: string, lastHeard: number | undefined): void;
  /** The offset estimate changed. */
  offset(estimate: OffsetEstimate): void;
}

export interface PeerLinkOptions {
  /** The endpoint's base URL (`http://192.168.77.65:9650/`). */
  readonly url: string;
  /** Sent as `Authorization: Bearer TOKEN` when set. */
  readonly token?: string | undefined;
  readonly clock: Clock;
  /** This host's wall clock (for the wall-clock offset shown per peer). */
  readonly wallClock?: (() => number) | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Clock samples taken before each stream is opened (default 4). */
  readonly samples?: number | undefined;
  /** Time between clock samples while live (default 10 s). */
  readonly resampleMs?: number | undefined;
  /** A live peer silent this long is unreachable (default 5 s; it ticks every second). */
  readonly silenceMs?: number | undefined;
  /** A request unanswered this long fails (default 5 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** First wait before trying again, doubled up to `maxBackoffMs` (defaults 500 ms, 5 s). */
  readonly minBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
}

function message(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? code : err.message;
  }
  return String(err);
}

function isFrame(value: unknown): value is PeerFrame {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

export class PeerLink {
  readonly url: string;
  state: PeerState = 'connecting';
  /** Why it is unreachable. */
  error: string | undefined;
  node: string | undefined;
  incarnation: string | undefined;
  /** Records received (every incarnation). */
  records = 0;
  /** This clock's time of the last byte heard from the peer. */
  lastHeard: number | undefined;
  private readonly estimator = new ClockOffsetEstimator();
  private nextSeq = 0;
  private closed = false;
  private abort: AbortController | undefined;
  private timers = new Set<TimerId>();
  private silence: TimerId | undefined;
  private backoffMs: number;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly options: PeerLinkOptions,
    private readonly on: PeerLinkEvents,
  ) {
    this.url = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.fetch = options.fetch ?? fetch;
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  estimate(): OffsetEstimate | undefined {
    return this.estimator.estimate();
  }

  start(): void {
    void this.loop();
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    for (const t of this.timers) this.options.clock.clearTimeout(t);
    this.timers.clear();
  }

  private after(ms: number, fn: () => void): TimerId {
    const id = this.options.clock.setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
    return id;
  }

  private cancel(id: TimerId | undefined): void {
    if (id === undefined) return;
    this.options.clock.clearTimeout(id);
    this.timers.delete(id);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private headers(): Record<string, string> {
    return this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` };
  }

  /** A GET that fails after the request timeout (clock time), or when the link closes. */
  private async get(path: string, controller: AbortController): Promise<Response> {
    const timer = this.after(this.options.requestTimeoutMs ?? 5000, () => controller.abort(new Error('no answer')));
    try {
      const res = await this.fetch(`${this.url}${path}`, { headers: this.headers(), signal: controller.signal });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        const why = res.status === 401 ? ' (token refused: --peer-token-file)' : res.status === 403 ? ' (Host refused: the daemon needs --http-allow-host for this name)' : res.status === 503 ? ' (too many /events clients)' : '';
        throw new Error(`HTTP ${res.status}${why}`);
      }
      return res;
    } finally {
      this.cancel(timer);
    }
  }

  /** One clock sample. A peer of another incarnation than before (restarted) is read from its first record again. */
  private async sample(controller: AbortController): Promise<void> {
    const t0 = this.options.clock.now();
    const res = await this.get('clock', controller);
    // The answer is in when its head is (a few bytes, one packet with its body): reading the body is this side's
    // work, not the way back.
    const t3 = this.options.clock.now();
    const answer = (await res.json()) as PeerClock;
    if (typeof answer.now !== 'number' || typeof answer.incarnation !== 'string') throw new Error('/clock: not a vigil endpoint');
    if (answer.incarnation !== this.incarnation) {
      // Another process (or the first contact): its clock and its numbering start again.
      this.estimator.reset();
      this.nextSeq = 0;
      this.incarnation = answer.incarnation;
    }
    const wall = this.options.wallClock?.();
    this.estimator.add({
      t0,
      t1: answer.now,
      t3,
      peerWall: answer.wall,
      localWallMinusClock: wall === undefined ? undefined : wall - this.options.clock.now(),
    });
    this.on.offset(this.estimator.estimate()!);
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const controller = new AbortController();
      this.abort = controller;
      try {
        await this.session(controller);
        throw new Error('stream closed by the peer');
      } catch (err) {
        if (this.closed) return;
        this.cancel(this.silence);
        controller.abort();
        const text = controller.signal.reason instanceof Error && controller.signal.reason.message === 'silent' ? `silent for ${this.options.silenceMs ?? 5000} ms` : message(err);
        const was = this.state;
        this.error = text;
        this.state = 'unreachable';
        if (was !== 'unreachable') {
          this.on.unreachable(text, this.lastHeard);
          this.backoffMs = this.options.minBackoffMs ?? 500;
        }
      }
      await this.sleep(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5000);
    }
  }

  /** Samples the clock, opens the stream and reads it until it ends or fails. */
  private async session(controller: AbortController): Promise<void> {
    const known = this.incarnation;
    for (let i = 0; i < (this.options.samples ?? 4); i++) await this.sample(controller);
    const restarted = known !== undefined && known !== this.incarnation;
    const res = await this.get(`events?format=msgpack&from=${this.nextSeq}`, controller);
    if (!res.body) throw new Error('no body');
    const reader = new FrameReader();
    const heard = (): void => {
      this.lastHeard = this.options.clock.now();
      this.cancel(this.silence);
      this.silence = this.after(this.options.silenceMs ?? 5000, () => controller.abort(new Error('silent')));
    };
    heard();
    const resample = (): void => {
      this.after(this.options.resampleMs ?? 10_000, () => {
        if (controller.signal.aborted) return;
        // A sample that fails says nothing the stream's silence will not.
        this.sample(controller).then(resample, () => undefined);
      });
    };
    resample();
    for await (const chunk of res.body) {
      heard();
      for (const frame of reader.push(chunk as Uint8Array)) {
        if (!isFrame(frame)) throw new Error('not a vigil frame');
        this.frame(frame, restarted);
      }
    }
  }

  private frame(frame: PeerFrame, restarted: boolean): void {
    switch (frame.kind) {
      case 'hello':
        if (frame.incarnation !== this.incarnation) throw new Error('the peer restarted while connecting');
        this.node = frame.node;
        this.state = 'live';
        this.error = undefined;
        this.on.connected(frame.node, restarted);
        return;
      case 'record':
        if (frame.seq < this.nextSeq) return;
        this.nextSeq = frame.seq + 1;
        this.records++;
        this.on.record(frame.event);
        return;
      case 'live':
        this.on.caughtUp();
        return;
      case 'tick':
        this.on.tick(frame.now);
        return;
    }
  }
}
