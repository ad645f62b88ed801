/** `--http ADDR:PORT`: "127.0.0.1:9650", "[::1]:9650", ":9650" or "9650" (loopback when no address is given). */
export interface HttpAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_HTTP_HOST = '127.0.0.1';

function port(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

export function parseHttpAddress(text: string): HttpAddress | undefined {
  const s = text.trim();
  const bare = port(s);
  if (bare !== undefined) return { host: DEFAULT_HTTP_HOST, port: bare };
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(s);
  if (v6) {
    const p = port(v6[2]!);
    return p === undefined ? undefined : { host: v6[1]!, port: p };
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = s.slice(0, colon);
  const p = port(s.slice(colon + 1));
  if (p === undefined || host.includes(':') || host.includes('[')) return undefined;
  return { host: host === '' ? DEFAULT_HTTP_HOST : host, port: p };
}
