/**
 * What this process holds, for `vigil status --json` (its `process` field) and the soak benchmark: resident
 * memory, open file descriptors, child processes, and Node's active handles and requests by type (timers are
 * `Timeout`). A leak shows as one of these growing while the configuration stays the same.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessResources {
  readonly rss_kb: number;
  readonly open_fds: number;
  readonly children: number;
  /** process.getActiveResourcesInfo() counted by type: Timeout, TCPWrap, FSReqCallback, … */
  readonly handles: Readonly<Record<string, number>>;
}

function countChildren(): number {
  let n = 0;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      n += readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter((p) => p.trim() !== '').length;
    } catch {
      // the thread ended meanwhile
    }
  }
  return n;
}

export function processResources(): ProcessResources {
  const handles: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1;
  return {
    rss_kb: Math.round(process.memoryUsage.rss() / 1024),
    open_fds: readdirSync('/proc/self/fd').length,
    children: countChildren(),
    handles,
  };
}
