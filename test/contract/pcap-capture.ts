/**
 * Frames captured on an interface in a namespace: tcpdump writing pcap to its stdout (`-w - -U`, one packet at a
 * time), read as it comes. The capture process is the harness's: cleanup() kills it by PID.
 */
import type { Lan } from '../netns/harness.js';

export interface Capture {
  /** Whole link-layer frames captured so far, in order. */
  readonly frames: Uint8Array[];
  /** The capture time of each frame (the kernel's clock, milliseconds since the epoch), in step with `frames`. */
  readonly times: number[];
  stop(): void;
}

/** Starts tcpdump on `ifname` in `ns` with a filter; resolves once it listens. */
export async function capture(lan: Lan, ns: string, ifname: string, filter: string): Promise<Capture> {
  const child = lan.spawn(ns, ['tcpdump', '-i', ifname, '-U', '-w', '-', '-s', '512', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  const frames: Uint8Array[] = [];
  const times: number[] = [];
  let buffer = Buffer.alloc(0);
  let header: { little: boolean } | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (header === undefined) {
      if (buffer.length < 24) return;
      // The global header's magic number tells the byte order of every field after it.
      header = { little: buffer.readUInt32LE(0) === 0xa1b2c3d4 };
      buffer = buffer.subarray(24);
    }
    const u32 = (offset: number): number => (header!.little ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset));
    while (buffer.length >= 16 && buffer.length >= 16 + u32(8)) {
      const length = u32(8);
      frames.push(new Uint8Array(buffer.subarray(16, 16 + length)));
      times.push(u32(0) * 1000 + u32(4) / 1000);
      buffer = buffer.subarray(16 + length);
    }
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', () => reject(new Error(`tcpdump exited: ${stderr}`)));
  });
  return {
    frames,
    times,
    stop: () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}
