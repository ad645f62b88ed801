/**
 * Running bench/tools/packet-sender.ts in a namespace of a test LAN, and reading what the kernel dropped at raw
 * sockets there: shared by the flood and fuzz benchmarks and the fault campaign.
 */
import { join } from 'node:path';
import type { Lan, LanHost } from '../../test/netns/harness.js';
import { ROOT } from '../../test/daemon/daemons.js';
import type { SenderPlan, SenderReport } from './packet-sender.js';

const SENDER = join(ROOT, 'dist/bench/tools/packet-sender.js');

/** Sends `plan` from `host`; resolves with the sender's report when it is done. */
export function runSender(lan: Lan, host: LanHost, plan: SenderPlan): Promise<SenderReport> {
  const proc = lan.spawn(host.ns, [process.execPath, SENDER, JSON.stringify(plan)]);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) =>
    proc.once('exit', () => {
      try {
        resolve(JSON.parse(out) as SenderReport);
      } catch {
        reject(new Error(`the packet sender failed: ${err || out}`));
      }
    }),
  );
}

/** Packets the kernel dropped at raw sockets for VRRP (protocol 112, receive buffer full) in a namespace: the last column of /proc/net/raw. */
export async function rawSocketDrops(lan: Lan, ns: string): Promise<number> {
  const lines = (await lan.exec(ns, ['cat', '/proc/net/raw'])).stdout.split('\n').slice(1);
  return lines.filter((l) => /:0070\s/.test(l)).reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1) ?? 0), 0);
}
