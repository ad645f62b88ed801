/** `--http ADDR:PORT`: "127.0.0.1:9650", "[::1]:9650", ":9650" or "9650" (loopback when no address is given). */
export interface HttpAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_HTTP_HOST = '127.0.0.1';

export function parseHttpAddress(text: string): HttpAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) return undefined;
  const host = m[1] ?? (m[2] ? m[2] : DEFAULT_HTTP_HOST);
  return { host, port };
}
