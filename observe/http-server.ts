/**
 * The HTTP endpoint (node:http; `vigil run --http ADDR:PORT`, loopback unless told otherwise):
 *   /metrics  Prometheus text (observe/metrics.ts)
 *   /status   the daemon status as JSON, the same as `vigil status --json`
 *   /         the live page: actor tree, statecharts with the active state lit, timeline, scrubber
 *   /events   server-sent events: every page record (`event: record`, `[seq, record]`), from ?from=SEQ on, and a
 *             `tick` with the clock's time every second so the timeline moves while nothing happens
 *   /machines/ID.svg  the statechart of one machine
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subscription } from 'rxjs';
import type { DaemonStatus } from '../actors/status.js';
import type { Clock, TimerId } from '../machines/clock.js';
import type { InspectionStream } from './inspection-stream.js';
import type { DaemonMetrics } from './metrics.js';
import { MachineSvgs } from './page/machine-svgs.js';
import { PageHistory, type NumberedEvent } from './page/page-history.js';
import { pageHtml } from './page/page-html.js';

export interface ObservationServerOptions {
  readonly host: string;
  readonly port: number;
  readonly title: string;
  readonly clock: Clock;
  readonly stream: InspectionStream;
  readonly metrics?: DaemonMetrics | undefined;
  readonly status?: (() => DaemonStatus | undefined) | undefined;
  /** Records kept for the page (default 50,000). */
  readonly historySize?: number | undefined;
  /** Time between `tick`s (default 1000 ms of the clock). */
  readonly tickMs?: number | undefined;
}

export class ObservationServer {
  readonly history: PageHistory;
  private readonly svgs = new MachineSvgs();
  private server: Server | undefined;
  private readonly clients = new Set<ServerResponse>();
  private readonly subscription: Subscription;
  private tick: TimerId | undefined;

  constructor(private readonly options: ObservationServerOptions) {
    this.history = new PageHistory(options.historySize);
    this.subscription = options.stream.events$.subscribe((e) => this.history.add(e));
    this.history.subscribe((n) => {
      for (const client of this.clients) this.send(client, n);
    });
  }

  /** Starts listening; resolves with the address actually bound (port 0 picks a free one). */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${err instanceof Error ? err.message : String(err)}\n`);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.scheduleTick();
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${host}:${address.port}/` };
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    if (this.tick !== undefined) this.options.clock.clearTimeout(this.tick);
    this.tick = undefined;
    for (const client of this.clients) client.end();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private scheduleTick(): void {
    this.tick = this.options.clock.setTimeout(() => {
      const now = this.options.clock.now();
      for (const client of this.clients) client.write(`event: tick\ndata: ${now}\n\n`);
      if (this.server) this.scheduleTick();
    }, this.options.tickMs ?? 1000);
  }

  private send(client: ServerResponse, n: NumberedEvent): void {
    client.write(`event: record\nid: ${n.seq}\ndata: ${JSON.stringify([n.seq, n.event])}\n\n`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://vigil');
    const path = url.pathname;
    if (path === '/metrics') {
      const metrics = this.options.metrics;
      if (!metrics) {
        res.writeHead(404).end();
        return;
      }
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
      return;
    }
    if (path === '/status') {
      const status = this.options.status?.();
      if (!status) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"not running"}\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(status)}\n`);
      return;
    }
    if (path === '/') {
      const svgs = await this.svgs.all(this.options.stream.graphs.values());
      const events = this.history.since(0).map((n) => [n.seq, n.event] as const);
      const html = pageHtml({ title: this.options.title, live: true, eventsUrl: '/events', machineUrl: '/machines/', svgs, events, endMs: this.history.lastAt });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      return;
    }
    if (path === '/events') {
      const from = Number(url.searchParams.get('from') ?? req.headers['last-event-id'] ?? 0);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      for (const n of this.history.since(Number.isFinite(from) ? from : 0)) this.send(res, n);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      return;
    }
    const machine = /^\/machines\/([^/]+)\.svg$/.exec(path);
    if (machine) {
      const graph = this.options.stream.graphs.get(decodeURIComponent(machine[1]!));
      if (!graph) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(await this.svgs.svg(graph));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}
