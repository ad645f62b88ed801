/**
 * `vigil site [NAME=]URL… [--http ADDR:PORT] [--peer-token-file FILE]`: the page of a whole site, live. Reads the
 * HTTP endpoints of several running daemons (`vigil run --http … --http-token-file …`), merges their records on
 * this host's clock (each peer's offset estimated NTP-style and applied) and serves the merged page, `/site`
 * (the peers, their offsets, the masters and VIP holders per VRID) and `/events` at `--http`, as a daemon's
 * endpoint serves its own. A peer that cannot be reached is shown as such and tried again. Runs until SIGINT or
 * SIGTERM. Bad arguments: one line, exit 2.
 */
import type { Command } from 'commander';
import type { Clock } from '../machines/clock.js';
import { parseHttpAddress } from '../observe/http-address.js';
import { readTokenFile } from './token-file.js';
import { failer, type Fail } from './fail.js';

interface SiteCliOptions {
  http: string;
  httpTokenFile?: string;
  httpAllowHost?: string;
  peerTokenFile?: string;
  title?: string;
}

const fail: Fail = failer('site');

/** `NAME=URL` or `URL` (or ADDR:PORT): the http URL of a daemon's endpoint, its path the endpoint's root. */
export function parsePeer(text: string): { url: string; name?: string } {
  const eq = text.indexOf('=');
  const named = eq > 0 && !text.slice(0, eq).includes('/') && !text.slice(0, eq).includes(':');
  const name = named ? text.slice(0, eq) : undefined;
  const given = named ? text.slice(eq + 1) : text;
  // ADDR:PORT alone is the endpoint `vigil run --http ADDR:PORT` serves.
  const raw = /^(\[[0-9A-Fa-f:.]+\]|[^/:[\]]+):\d{1,5}$/.test(given) ? `http://${given}/` : given;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${text}: not a URL (http://ADDR:PORT/)`);
  }
  if (url.protocol !== 'http:') throw new Error(`${text}: only http:// endpoints (vigil run --http) can be read`);
  if (url.search !== '' || url.hash !== '') throw new Error(`${text}: no query or fragment (the token goes in --peer-token-file)`);
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`${text}: a node name is letters, digits, '.', '_' and '-'`);
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return name === undefined ? { url: href } : { url: href, name };
}

export function registerSiteCommand(program: Command): void {
  program
    .command('site')
    .description('serve the live page of several daemons at once: their records merged on one clock')
    .argument('<peers...>', "the daemons' endpoints: http://ADDR:PORT/ or ADDR:PORT (vigil run --http), NAME=URL to name the node")
    .option('--http <addr:port>', 'serve the merged page, /site and /events here', '127.0.0.1:9651')
    .option('--http-token-file <file>', 'require the token on the first line of FILE here; needed for a non-loopback --http')
    .option('--http-allow-host <names>', 'host names (comma-separated) accepted in the Host header besides the address')
    .option('--peer-token-file <file>', "the token the peers' endpoints require (their --http-token-file)")
    .option('--title <text>', 'title of the page')
    .action(async (specs: string[], options: SiteCliOptions) => {
      let peers: { url: string; name?: string }[];
      try {
        peers = specs.map(parsePeer);
      } catch (err) {
        fail((err as Error).message);
      }
      const names = peers.flatMap((p) => (p.name === undefined ? [] : [p.name]));
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice !== undefined) fail(`node name ${twice} given twice`);
      const http = parseHttpAddress(options.http);
      if (!http) fail(`--http: not ADDR:PORT: ${options.http}`);
      const tokenFrom = (file: string | undefined, option: string): string | undefined => {
        if (file === undefined) return undefined;
        try {
          return readTokenFile(file);
        } catch (err) {
          // readTokenFile names its own option; this one may be the other.
          fail((err as Error).message.replace(/^--http-token-file/, option));
        }
      };
      const token = tokenFrom(options.httpTokenFile, '--http-token-file');
      const peerToken = tokenFrom(options.peerTokenFile, '--peer-token-file');
      const [{ RealClock }, { Site }, { ObservationServer }] = await Promise.all([
        import('../transport/real/real-clock.js'),
        import('../observe/site/site.js'),
        import('../observe/http-server.js'),
      ]);
      const real = new RealClock();
      // The site's time: this host's wall clock when it started, plus its monotonic clock since (so it never steps).
      // Every record is moved onto it, so the page's axis shows the time of day.
      const origin = Date.now() - real.now();
      const clock: Clock = { now: () => origin + real.now(), setTimeout: (fn, ms) => real.setTimeout(fn, ms), clearTimeout: (id) => real.clearTimeout(id) };
      const site = new Site({ peers, token: peerToken, clock, wallClock: () => Date.now() });
      const title = options.title ?? `site: ${peers.map((p) => p.name ?? new URL(p.url).host).join(', ')}`;
      const allowedHosts = (options.httpAllowHost ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
      const server = new ObservationServer({ host: http.host, port: http.port, title, node: 'site', clock, wallClock: () => Date.now(), stream: site, site, token, allowedHosts });
      let url: string;
      try {
        url = (await server.listen()).url;
      } catch (err) {
        fail(`--http ${options.http}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      // Each peer's changes of state, one line each.
      const said = new Map<string, string>();
      site.changes$.subscribe((snapshot) => {
        for (const p of snapshot.peers) {
          const offset = p.offsetMs === undefined ? '' : ` offset ${p.offsetMs >= 0 ? '+' : ''}${p.offsetMs.toFixed(1)} ms ±${((p.rttMs ?? 0) / 2).toFixed(1)} ms`;
          const wall = p.wallOffsetMs === undefined ? '' : `, wall clock ${p.wallOffsetMs >= 0 ? '+' : ''}${p.wallOffsetMs.toFixed(1)} ms`;
          const line = p.state === 'unreachable' ? `unreachable (${p.error ?? '?'})` : p.state;
          if (said.get(p.url) === line) continue;
          said.set(p.url, line);
          process.stderr.write(`vigil site: ${p.name ?? '?'} ${p.url} ${line}${p.state === 'live' ? `${offset}${wall}` : ''}\n`);
        }
      });
      site.start();
      process.stderr.write(`vigil site: serving ${url} (${peers.length} peer${peers.length === 1 ? '' : 's'})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      site.close();
      await server.close();
      process.exit(0);
    });
}
