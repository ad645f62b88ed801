/**
 * VRRP advertisements on a host's eth0 as tcpdump stamps them (-tt: epoch seconds, the system clock `ip -ts` uses
 * too): for the benchmarks that time failovers and advertisement periods.
 */
import type { Lan, LanHost } from '../../test/netns/harness.js';

export interface CapturedAdvert {
  /** Epoch milliseconds. */
  readonly wall: number;
  readonly source: string;
  readonly vrid: number;
  readonly priority: number;
}

export interface AdvertCapture {
  readonly adverts: CapturedAdvert[];
  /** Resolves once tcpdump's capture is open (or after 3 s). */
  readonly ready: Promise<void>;
  stop(): void;
}

/** tcpdump on the host's eth0 with `filter`: each line it prints, as it prints it (-tt: epoch seconds first). */
export function tcpdumpLines(lan: Lan, host: LanHost, filter: string, onLine: (line: string) => void): { ready: Promise<void>; stop: () => void } {
  const proc = lan.spawn(host.ns, ['tcpdump', '-tt', '-l', '-n', '-i', 'eth0', filter]);
  let buffer = '';
  proc.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  // tcpdump says "listening on eth0" on stderr once its capture is open.
  const ready = new Promise<void>((resolve) => {
    proc.stderr?.on('data', (c: Buffer) => {
      if (c.toString().includes('listening')) resolve();
    });
    setTimeout(resolve, 3000).unref();
  });
  return { ready, stop: () => proc.kill('SIGKILL') };
}

/** `sources`: only advertisements from these addresses (default: every VRRP packet). */
export function captureAdverts(lan: Lan, host: LanHost, sources?: readonly string[]): AdvertCapture {
  const filter = sources ? `ip proto 112 and (${sources.map((s) => `src host ${s}`).join(' or ')})` : 'ip proto 112';
  const adverts: CapturedAdvert[] = [];
  const capture = tcpdumpLines(lan, host, filter, (line) => {
    const m = /^(\d+\.\d+) IP (\S+) > .*vrid (\d+), prio (\d+)/.exec(line);
    if (m) adverts.push({ wall: Number(m[1]) * 1000, source: m[2]!, vrid: Number(m[3]), priority: Number(m[4]) });
  });
  return { adverts, ...capture };
}
