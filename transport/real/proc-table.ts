/**
 * The processes of the host, read from /proc for track_process: a listing of every process (/proc/PID/stat for
 * the name and to leave zombies out, as keepalived's read_procs; the start of /proc/PID/cmdline when asked) and
 * one process read at its exec (/proc/PID/comm and the start of its cmdline, as keepalived's check_process).
 * Command lines are read only as far as asked: reading one may have to swap the process's memory in.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { ProcessEntry, ProcessIdentity } from '../../machines/process-census.js';
import type { ProcessReads } from '../process-monitor.js';

/** /proc/PID/stat's name (between the first '(' and the last ')') and state (the letter after); undefined when it does not read so. */
export function parseStat(text: string): { comm: string; state: string } | undefined {
  const start = text.indexOf('(');
  const end = text.lastIndexOf(')');
  if (start < 0 || end < start) return undefined;
  return { comm: text.slice(start + 1, end), state: text.charAt(end + 2) };
}

/** At most `bytes` bytes of a file, or undefined when it cannot be read (the process is gone). */
async function readStart(path: string, bytes: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function readStartSync(path: string, bytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Enough for any /proc/PID/stat line's name and state. */
const STAT_BYTES = 512;
/** /proc/PID/comm: 15 bytes, a newline, and one more to be sure. */
const COMM_BYTES = 17;

/** How many processes are read at once (each holds a file open meanwhile). */
const AT_ONCE = 32;

async function readEntry(pid: string, reads: ProcessReads): Promise<ProcessEntry | undefined> {
  const stat = await readStart(`/proc/${pid}/stat`, STAT_BYTES);
  const parsed = stat === undefined ? undefined : parseStat(stat);
  if (parsed === undefined || parsed.state === 'Z') return undefined;
  const cmdline = reads.cmdlineBytes > 0 ? await readStart(`/proc/${pid}/cmdline`, reads.cmdlineBytes) : undefined;
  if (reads.cmdlineBytes > 0 && cmdline === undefined) return undefined;
  return { pid: Number(pid), ...(reads.comm ? { comm: parsed.comm } : {}), ...(cmdline !== undefined ? { cmdline } : {}) };
}

/** Every process running now, zombies left out (a process that exits meanwhile is left out too). */
export async function listProcesses(reads: ProcessReads): Promise<ProcessEntry[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^[1-9]\d*$/.test(entry));
  const out: ProcessEntry[] = [];
  for (let i = 0; i < pids.length; i += AT_ONCE) {
    for (const entry of await Promise.all(pids.slice(i, i + AT_ONCE).map((pid) => readEntry(pid, reads)))) if (entry) out.push(entry);
  }
  return out;
}

/** One process as it is now (read at once, when the kernel tells of its exec); undefined when it is gone. */
export function readProcess(pid: number, reads: ProcessReads): ProcessIdentity | undefined {
  let comm: string | undefined;
  if (reads.comm) {
    const text = readStartSync(`/proc/${pid}/comm`, COMM_BYTES);
    if (text === undefined) return undefined;
    comm = text.endsWith('\n') ? text.slice(0, -1) : text;
  }
  let cmdline: string | undefined;
  if (reads.cmdlineBytes > 0) {
    cmdline = readStartSync(`/proc/${pid}/cmdline`, reads.cmdlineBytes);
    if (cmdline === undefined) return undefined;
  }
  return { ...(comm !== undefined ? { comm } : {}), ...(cmdline !== undefined ? { cmdline } : {}) };
}
