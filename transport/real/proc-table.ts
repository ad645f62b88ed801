/** The running processes, read from /proc (comm and argv), for track_process. */
import { readdir, readFile } from 'node:fs/promises';

export async function listProcesses(): Promise<{ comm: string; argv: string[] }[]> {
  const out: { comm: string; argv: string[] }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [comm, cmdline] = await Promise.all([readFile(`/proc/${entry}/comm`, 'utf8'), readFile(`/proc/${entry}/cmdline`, 'utf8')]);
      out.push({ comm: comm.trim(), argv: cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
