/**
 * The HTTP endpoint (node:http; `vigil run --http ADDR:PORT`, loopback unless told otherwise):
 *   /metrics  Prometheus text (observe/metrics.ts)
 *   /status   the daemon status as JSON, the same as `vigil status --json`
 *   /         the live page: actor tree, statecharts with the active state lit, timeline, scrubber
 *   /events   server-sent events: every page record (`event: record`, `[seq, record]`), from ?from=SEQ on, and a
 *             `tick` with the clock's time every second so the timeline moves while nothing happens; with
 *             ?format=msgpack the same as length-prefixed msgpack frames (observe/peer-stream.ts), for `vigil site`
 *   /clock    the clock's time now (JSON), for a site's offset estimate
 *   /site     a site's peers and VIP holders (JSON), when the endpoint is `vigil site`'s
 *   /machines/ID.svg  the statechart of one machine (ID.thumb.svg: its thumbnail, as the page's cards show it)
 *
 * It shares the VRRP thread, so it is bounded: connections and `/events` clients are capped; a client whose
 * unsent data passes `maxUnsentBytes`, or that reads nothing for `stallMs`, is dropped; the page and an
 * `/events` backlog go out in slices with the event loop turning between them. Against DNS rebinding the Host
 * header must name the bound address (or `localhost` on loopback, or a name in `allowedHosts`); a token, when
 * set, is required on every request, and a non-loopback address refuses to start without one.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Observable, Subscription } from 'rxjs';
import type { DaemonStatus } from '../actors/status.js';
import type { Clock, TimerId } from '../machines/clock.js';
import { encodeFrame } from './msgpack-frames.js';
import type { MachineGraph } from './machine-graph.js';
import type { DaemonMetrics } from './metrics.js';
import type { ObservedEvent } from './observed-event.js';
import type { PeerClock, PeerFrame } from './peer-stream.js';
import type { SiteSnapshot } from './site/site-snapshot.js';
import { MachineSvgs } from './page/machine-svgs.js';
import { PageHistory, type NumberedEvent } from './page/page-history.js';
import { pageHtmlParts } from './page/page-html.js';

/** What the endpoint serves records and drawings from: a daemon's inspection stream, or a site's merge of several. */
export interface ObservedSource {
  readonly events$: Observable<ObservedEvent>;
  readonly graphs: ReadonlyMap<string, MachineGraph>;
}

/** A site's state beyond its records (observe/site/): served at `/site`, in the page's boot data, and as `site` events. */
export interface SiteView {
  snapshot(): SiteSnapshot;
  readonly changes$: Observable<SiteSnapshot>;
}

export interface ObservationServerOptions {
  readonly host: string;
  readonly port: number;
  readonly title: string;
  /** The node the records are of, said to a site that reads them (default: the title). */
  readonly node?: string | undefined;
  readonly clock: Clock;
  /** The host's wall clock (ms since 1970), told at `/clock` so a site can show how far apart its hosts' clocks are. */
  readonly wallClock?: (() => number) | undefined;
  readonly stream: ObservedSource;
  readonly site?: SiteView | undefined;
  readonly metrics?: DaemonMetrics | undefined;
  readonly status?: (() => DaemonStatus | undefined) | undefined;
  /** Records kept for the page (default 50,000). */
  readonly historySize?: number | undefined;
  /** Time between `tick`s (default 1000 ms of the clock). */
  readonly tickMs?: number | undefined;
  /**
   * Required on every request when set: `Authorization: Bearer TOKEN`, or `?token=TOKEN` (which also sets a
   * cookie, so the page's own requests carry it). Without one, only a loopback address may be served.
   */
  readonly token?: string | undefined;
  /** Host names accepted in the Host header besides the bound address (and `localhost` on loopback). */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Connections at once (default 32); more are closed as they arrive. */
  readonly maxConnections?: number | undefined;
  /** `/events` clients at once (default 8); more get 503. */
  readonly maxEventClients?: number | undefined;
  /** An `/events` client with more than this written but not yet sent is dropped (default 1 MiB). */
  readonly maxUnsentBytes?: number | undefined;
  /** An `/events` client that has not taken what was sent for this long (clock time) is dropped (default 30 s). */
  readonly stallMs?: number | undefined;
  /** Records per slice of the page or of an `/events` backlog (default 500). */
  readonly sliceRecords?: number | undefined;
  /** Wall-clock time at which the clock read 0 (the daemon's): the page's axis shows times of day. */
  readonly wallAtZeroMs?: number | undefined;
}

/** One `/events` client: the next record it needs, whether it is still catching up, since when it is congested. */
interface EventClient {
  readonly res: ServerResponse;
  /** Server-sent events (the page), or msgpack frames (a site). */
  readonly format: 'sse' | 'msgpack';
  next: number;
  backlog: boolean;
  congestedSince: number | undefined;
}

const TOKEN_COOKIE = 'vigil_token';

/** The event loop turns before the promise settles (I/O and timers run): a yield, not a delay. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Settles when the response takes more data, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return a === '::1' || a === 'localhost' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(a);
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '::ffff:0.0.0.0';
}

/** The host name of a Host header, without port or brackets, lower case, without a final dot. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(h);
  const name = v6 ? v6[1]! : h.replace(/:\d+$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export class ObservationServer {
  readonly history: PageHistory;
  /** `/events` clients dropped for data they did not take, refused over the cap; requests refused. */
  readonly counters = { droppedEventClients: 0, refusedEventClients: 0, badHost: 0, unauthorized: 0 };
  private readonly svgs = new MachineSvgs();
  private server: Server | undefined;
  private readonly clients = new Set<EventClient>();
  private readonly subscription: Subscription;
  private tick: TimerId | undefined;
  private readonly tokenDigest: Buffer | undefined;
  private readonly hosts = new Set<string>();
  private anyAddressLiteral = false;
  /** Differs at every start: a site that reconnects learns whether its `from=` still means anything. */
  readonly incarnation = randomUUID();
  private siteSubscription: Subscription | undefined;

  constructor(private readonly options: ObservationServerOptions) {
    this.history = new PageHistory(options.historySize);
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.subscription = options.stream.events$.subscribe((e) => this.history.add(e));
    this.history.subscribe((n) => {
      for (const client of this.clients) if (!client.backlog) this.sendRecord(client, n);
    });
    this.siteSubscription = options.site?.changes$.subscribe((view) => {
      const text = `event: site\ndata: ${JSON.stringify(view)}\n\n`;
      for (const client of this.clients) if (client.format === 'sse') this.write(client, text);
    });
  }

  /** `/events` clients connected now. */
  get eventClients(): number {
    return this.clients.size;
  }

  /** `/events` clients that have not taken what was last written to them. */
  get congestedEventClients(): number {
    let n = 0;
    for (const c of this.clients) if (c.congestedSince !== undefined) n++;
    return n;
  }

  /**
   * Starts listening; resolves with the address actually bound (port 0 picks a free one). Rejects when the
   * address is not loopback and no token is set.
   */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${err instanceof Error ? err.message : String(err)}\n`);
      });
    });
    server.maxConnections = this.options.maxConnections ?? 32;
    // A client that dribbles its request headers does not hold a connection for long.
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    if (!isLoopback(address.address) && this.tokenDigest === undefined) {
      await this.close();
      throw new Error(`${address.address} is not a loopback address: serving it needs a token (--http-token-file FILE)`);
    }
    this.hosts.add(address.address.toLowerCase());
    this.hosts.add(this.options.host.toLowerCase());
    if (isLoopback(address.address) || isWildcard(address.address)) this.hosts.add('localhost');
    // Bound to every address: any address literal names this host (a rebinding attack needs a name).
    this.anyAddressLiteral = isWildcard(address.address);
    for (const h of this.options.allowedHosts ?? []) this.hosts.add(hostName(h));
    this.scheduleTick();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${host}:${address.port}/` };
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    this.siteSubscription?.unsubscribe();
    if (this.tick !== undefined) this.options.clock.clearTimeout(this.tick);
    this.tick = undefined;
    for (const client of this.clients) client.res.end();
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
      const stallMs = this.options.stallMs ?? 30_000;
      for (const client of this.clients) {
        if (client.congestedSince !== undefined && now - client.congestedSince > stallMs) this.drop(client);
        else if (!client.backlog) this.write(client, client.format === 'sse' ? `event: tick\ndata: ${now}\n\n` : encodeFrame({ kind: 'tick', now } satisfies PeerFrame));
      }
      if (this.server) this.scheduleTick();
    }, this.options.tickMs ?? 1000);
  }

  private drop(client: EventClient): void {
    this.counters.droppedEventClients++;
    this.clients.delete(client);
    client.res.destroy();
  }

  /** Writes to one client; drops it when its unsent data passes the bound. False when it should wait. */
  private write(client: EventClient, text: string | Buffer): boolean {
    if (!this.clients.has(client)) return false;
    const res = client.res;
    const flowing = res.write(text);
    if (res.writableLength > (this.options.maxUnsentBytes ?? 1 << 20)) {
      this.drop(client);
      return false;
    }
    if (!flowing && client.congestedSince === undefined) {
      client.congestedSince = this.options.clock.now();
      res.once('drain', () => {
        client.congestedSince = undefined;
        // 'drain' may come in the same turn (the kernel took the data at once): the next slice waits for a turn.
        if (client.backlog) void turn().then(() => this.pump(client));
      });
    }
    return flowing;
  }

  private sendRecord(client: EventClient, n: NumberedEvent): void {
    client.next = n.seq + 1;
    if (client.format === 'msgpack') this.write(client, encodeFrame({ kind: 'record', seq: n.seq, event: n.event } satisfies PeerFrame));
    else this.write(client, `event: record\nid: ${n.seq}\ndata: ${JSON.stringify([n.seq, n.event])}\n\n`);
  }

  /** Catches a client up with the history, a slice per turn of the event loop, waiting while it is congested. */
  private async pump(client: EventClient): Promise<void> {
    const slice = this.options.sliceRecords ?? 500;
    while (this.clients.has(client) && client.congestedSince === undefined) {
      const missing = this.history.range(client.next, slice);
      if (missing.length === 0) {
        client.backlog = false;
        if (client.format === 'msgpack') this.write(client, encodeFrame({ kind: 'live' } satisfies PeerFrame));
        return;
      }
      for (const n of missing) {
        this.sendRecord(client, n);
        // Congested: the rest waits for 'drain' (a backlog never piles up as unsent data).
        if (client.congestedSince !== undefined || !this.clients.has(client)) return;
      }
      await turn();
    }
  }

  /** The Host header names this endpoint (DNS rebinding: a page from another name must not read it). */
  private hostAllowed(req: IncomingMessage): boolean {
    const header = req.headers.host;
    // Without one (HTTP/1.0 tools) the request did not come from a browser.
    if (header === undefined) return true;
    const name = hostName(header);
    return this.hosts.has(name) || (this.anyAddressLiteral && isIP(name) !== 0);
  }

  /** True when no token is set, or the request carries it; `fromQuery` when it came as ?token=. */
  private authorized(req: IncomingMessage, url: URL): { ok: boolean; fromQuery: boolean } {
    if (this.tokenDigest === undefined) return { ok: true, fromQuery: false };
    const matches = (given: string | undefined | null): boolean => typeof given === 'string' && timingSafeEqual(digest(given), this.tokenDigest!);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (matches(bearer) || matches(cookie(req, TOKEN_COOKIE))) return { ok: true, fromQuery: false };
    if (matches(url.searchParams.get('token'))) return { ok: true, fromQuery: true };
    return { ok: false, fromQuery: false };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hostAllowed(req)) {
      this.counters.badHost++;
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Host header does not name this endpoint\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://vigil');
    const auth = this.authorized(req, url);
    if (!auth.ok) {
      this.counters.unauthorized++;
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="vigil"' }).end('token required\n');
      return;
    }
    // The page's own requests (/events, the SVGs) then carry the token without it in every URL.
    if (auth.fromQuery) res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(this.options.token!)}; HttpOnly; SameSite=Strict; Path=/`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
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
      await this.page(res);
      return;
    }
    if (path === '/clock') {
      const now = this.options.clock.now();
      const wall = this.options.wallClock?.();
      const clock: PeerClock = { now, ...(wall === undefined ? {} : { wall }), node: this.options.node ?? this.options.title, incarnation: this.incarnation };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(clock)}\n`);
      return;
    }
    if (path === '/site' && this.options.site) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(this.options.site.snapshot())}\n`);
      return;
    }
    if (path === '/events') {
      this.events(req, res, url);
      return;
    }
    const machine = /^\/machines\/([^/]+?)(\.thumb)?\.svg$/.exec(path);
    if (machine) {
      const graph = this.options.stream.graphs.get(decodeURIComponent(machine[1]!));
      if (!graph) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(await (machine[2] ? this.svgs.thumbnail(graph) : this.svgs.svg(graph)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  /** The page, in slices: the records as they were when the request came (a copy), then /events goes on. */
  private async page(res: ServerResponse): Promise<void> {
    const svgs = await this.svgs.all(this.options.stream.graphs.values());
    const thumbs = await this.svgs.allThumbnails(this.options.stream.graphs.values());
    const events = this.history.since(0).map((n) => [n.seq, n.event] as const);
    const site = this.options.site?.snapshot();
    const boot = { title: this.options.title, live: true, eventsUrl: '/events', machineUrl: '/machines/', svgs, thumbs, events, endMs: this.history.lastAt, wallAtZeroMs: this.options.wallAtZeroMs, ...(site === undefined ? {} : { site }) };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    for (const part of pageHtmlParts(boot, this.options.sliceRecords ?? 500)) {
      if (res.destroyed) return;
      if (!res.write(part)) await drained(res);
      // 'drain' may come in the same turn (the kernel took the data at once): turn the loop anyway.
      await turn();
    }
    res.end();
  }

  private events(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.clients.size >= (this.options.maxEventClients ?? 8)) {
      this.counters.refusedEventClients++;
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '10' }).end('too many /events clients\n');
      return;
    }
    const from = Number(url.searchParams.get('from') ?? req.headers['last-event-id'] ?? 0);
    const format = url.searchParams.get('format') === 'msgpack' ? 'msgpack' : 'sse';
    res.writeHead(200, { 'content-type': format === 'sse' ? 'text/event-stream' : 'application/x-msgpack', 'cache-control': 'no-store', connection: 'keep-alive' });
    const client: EventClient = { res, format, next: Number.isFinite(from) ? from : 0, backlog: true, congestedSince: undefined };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    if (format === 'sse') this.write(client, 'retry: 2000\n\n');
    else this.write(client, encodeFrame({ kind: 'hello', node: this.options.node ?? this.options.title, incarnation: this.incarnation, now: this.options.clock.now() } satisfies PeerFrame));
    void this.pump(client);
  }
}
