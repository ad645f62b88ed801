/**
 * A stand-in for systemd's end of NOTIFY_SOCKET: an AF_UNIX datagram socket bound through the addon, keeping every
 * notification with the pid the kernel says sent it (systemd's NotifyAccess=main checks that pid).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { openUnixDatagramSocket } from '../../native/index.js';

export interface Notification {
  /** The assignments, in order ("READY=1", "STATUS=…"). */
  readonly fields: readonly string[];
  readonly pid: number;
}

export interface FakeNotifySocket {
  /** What NOTIFY_SOCKET says: the path, or '@name' for an abstract socket. */
  readonly address: string;
  readonly received: Notification[];
  /** Resolves with the index of the first notification at or after `from` that `match` accepts. */
  waitFor(match: (n: Notification) => boolean, from?: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

/** `abstract`: an abstract name (same network namespace only); else a path in a directory of its own. */
export function fakeNotifySocket(options: { abstract?: boolean } = {}): FakeNotifySocket {
  const dir = options.abstract ? undefined : mkdtempSync(join(tmpdir(), 'vigil-liveness-notify-'));
  const address = dir === undefined ? `@vigil-liveness-${process.pid}-${Math.floor(performance.now() * 1000)}` : join(dir, 'notify.sock');
  const socket = openUnixDatagramSocket();
  socket.bind(address);
  const received: Notification[] = [];
  socket.start((bytes, pid) => received.push({ fields: bytes.toString('utf8').split('\n').filter((l) => l !== ''), pid }));
  return {
    address,
    received,
    async waitFor(match, from = 0, timeoutMs = 20_000) {
      const started = performance.now();
      for (;;) {
        const i = received.findIndex((n, k) => k >= from && match(n));
        if (i >= 0) return i;
        if (performance.now() - started > timeoutMs) {
          throw new Error(`no such notification within ${timeoutMs} ms; received: ${JSON.stringify(received.slice(from).map((n) => n.fields))}`);
        }
        await delay(20);
      }
    },
    close() {
      socket.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const has = (field: string) => (n: Notification): boolean => n.fields.includes(field);
