/**
 * Observability of one daemon, wired together: the inspection stream (its `inspect` goes to every actor), the
 * flight recorder when asked (`--record FILE`), and the HTTP endpoint when asked (`--http ADDR:PORT`) with the
 * metrics, the status and the live page. Built before the daemon starts so the first transitions are seen.
 */
import type { Bus } from '../actors/bus.js';
import type { DaemonStatus } from '../actors/status.js';
import type { Clock, TimerId } from '../machines/clock.js';
import { FlightRecorder } from './flight-recorder.js';
import type { HttpAddress } from './http-address.js';
import { ObservationServer } from './http-server.js';
import { InspectionStream } from './inspection-stream.js';
import { DaemonMetrics } from './metrics.js';

export interface ObservationConfig {
  readonly node: string;
  readonly clock: Clock;
  /** The host's wall clock, told at `/clock` to a site (`vigil site`) that shows how far apart its hosts' clocks are. */
  readonly wallClock?: (() => number) | undefined;
  readonly title: string;
  readonly http?: HttpAddress | undefined;
  readonly record?: { readonly path: string; readonly maxBytes?: number | undefined; readonly keep?: number | undefined } | undefined;
  /** Written in each recording file's header. */
  readonly meta?: Readonly<Record<string, string | number>> | undefined;
  /** How often the recorder's buffer goes to the file (default 1000 ms of the clock). */
  readonly flushMs?: number | undefined;
  /** Required on every HTTP request; a non-loopback address is served only with one. */
  readonly token?: string | undefined;
  /** Host names the HTTP endpoint also answers to (a scraper using a DNS name). */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Where the recorder says that it stopped writing, and that it resumed. */
  readonly warn?: ((message: string) => void) | undefined;
  /** Other files the daemon could not write (the dumps), by kind, for /metrics. */
  readonly fileWriteFailures?: (() => Readonly<Record<string, number>>) | undefined;
}

export interface ObservedDaemon {
  readonly bus: Bus;
  status(): DaemonStatus;
}

export class Observation {
  readonly stream: InspectionStream;
  readonly inspect: ReturnType<InspectionStream['inspector']>;
  readonly recorder: FlightRecorder | undefined;
  private server: ObservationServer | undefined;
  private metrics: DaemonMetrics | undefined;
  private flushTimer: TimerId | undefined;
  private closed = false;

  constructor(private readonly config: ObservationConfig) {
    this.stream = new InspectionStream(config.clock);
    this.inspect = this.stream.inspector(config.node);
    if (config.record) {
      this.recorder = new FlightRecorder({
        path: config.record.path,
        maxBytes: config.record.maxBytes,
        keep: config.record.keep,
        source: 'daemon',
        meta: { node: config.node, ...(config.meta ?? {}) },
        onError: (message) => config.warn?.(message),
      });
      this.recorder.attach(this.stream.events$);
      this.scheduleFlush();
    }
    // The recording says when this process ran: a replay draws the time outside it as DOWN.
    this.stream.process(config.node, true, 'start');
  }

  /** Follows the daemon's bus; prepares the metrics and the HTTP endpoint (not listening yet). */
  attach(daemon: ObservedDaemon): void {
    this.stream.attachBus(daemon.bus);
    if (!this.config.http) return;
    const status = (): DaemonStatus | undefined => (this.closed ? undefined : daemon.status());
    const fileWriteFailures = (): Record<string, number> => ({
      ...(this.config.fileWriteFailures?.() ?? {}),
      ...(this.recorder ? { recording: this.recorder.writeFailures } : {}),
    });
    const httpRejections = (): Record<string, number> => {
      const c = this.server?.counters;
      if (!c) return {};
      return { bad_host: c.badHost, unauthorized: c.unauthorized, too_many_event_clients: c.refusedEventClients, event_client_dropped: c.droppedEventClients };
    };
    this.metrics = new DaemonMetrics({ node: this.config.node, status, fileWriteFailures, httpRejections }, this.stream);
    this.server = new ObservationServer({
      host: this.config.http.host,
      port: this.config.http.port,
      title: this.config.title,
      clock: this.config.clock,
      wallClock: this.config.wallClock,
      node: this.config.node,
      stream: this.stream,
      metrics: this.metrics,
      status,
      token: this.config.token,
      allowedHosts: [this.config.node, ...(this.config.allowedHosts ?? [])],
    });
  }

  /** Starts the HTTP endpoint, if asked for; resolves with its URL. */
  async listen(): Promise<string | undefined> {
    if (!this.server) return undefined;
    return (await this.server.listen()).url;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer !== undefined) this.config.clock.clearTimeout(this.flushTimer);
    this.stream.process(this.config.node, false, 'stop');
    await this.server?.close();
    this.metrics?.close();
    this.stream.complete();
    this.recorder?.close();
  }

  private scheduleFlush(): void {
    this.flushTimer = this.config.clock.setTimeout(() => {
      this.recorder?.flush();
      if (!this.closed) this.scheduleFlush();
    }, this.config.flushMs ?? 1000);
  }
}
