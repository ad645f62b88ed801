/**
 * SIGUSR1 / SIGUSR2 dumps. keepalived writes /tmp/keepalived.data, /tmp/keepalived.stats and keepalived.json;
 * vigil writes the same three with its own prefix (vigil.data, vigil.stats, vigil.json), and not in the shared
 * /tmp but in a directory only root can write (`--dump-dir`, default /run/vigil, created 0700), each file made
 * new at 0600 and renamed into place (transport/real/private-files.ts). A dump that cannot be written is logged
 * and counted, never fatal. Text laid out for people; the JSON is the status.
 */
import type { DaemonStatus } from '../status.js';
import type { DaemonLog } from '../environment.js';
import { ensurePrivateDirectory, replaceFile } from '../../transport/real/private-files.js';
import { join } from 'node:path';

export const DEFAULT_DUMP_DIR = '/run/vigil';
export const DUMP_FILES = { data: 'vigil.data', stats: 'vigil.stats', json: 'vigil.json' } as const;

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? (err instanceof Error ? err.message : String(err));
}

/** Writes the dumps into one directory; `failures` counts the files that could not be written. */
export class DumpWriter {
  failures = 0;

  constructor(
    readonly dir: string,
    private readonly log: Pick<DaemonLog, 'info' | 'warn'>,
  ) {}

  /** At start: makes the directory (0700) if missing; a problem is said now, and again at each dump. */
  prepare(): void {
    try {
      ensurePrivateDirectory(this.dir);
    } catch (err) {
      this.log.warn(`dumps will not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** SIGUSR1: the data dump and the JSON dump. Returns the number of files written. */
  dataDump(status: DaemonStatus): number {
    return this.write('data dump', [
      [DUMP_FILES.data, formatDataDump(status)],
      [DUMP_FILES.json, `${JSON.stringify(status, null, 2)}\n`],
    ]);
  }

  /** SIGUSR2: the stats dump. */
  statsDump(status: DaemonStatus): number {
    return this.write('stats dump', [[DUMP_FILES.stats, formatStatsDump(status)]]);
  }

  private write(what: string, files: readonly (readonly [string, string])[]): number {
    try {
      // Checked every time: the directory may have been removed (or replaced) since the last dump.
      ensurePrivateDirectory(this.dir);
    } catch (err) {
      this.failures += files.length;
      this.log.warn(`${what} not written: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
    const written: string[] = [];
    for (const [name, text] of files) {
      const path = join(this.dir, name);
      try {
        replaceFile(this.dir, name, text);
        written.push(path);
      } catch (err) {
        this.failures++;
        this.log.warn(`${what}: ${path} not written (${reason(err)})`);
      }
    }
    if (written.length > 0) this.log.info(`${what} written to ${written.join(' and ')}`);
    return written.length;
  }
}

export function formatDataDump(status: DaemonStatus): string {
  const out: string[] = ['------< vigil VRRP topology >------'];
  for (const i of status.instances) {
    out.push(` VRRP instance ${i.name}`);
    out.push(`   state                  ${i.state}`);
    out.push(`   interface              ${i.interface}`);
    out.push(`   virtual router id      ${i.vrid}`);
    out.push(`   version                ${i.version} (IPv${i.family})`);
    out.push(`   priority               ${i.priority}`);
    out.push(`   effective priority     ${i.effective_priority}`);
    out.push(`   master                 ${i.master_address ?? (i.state === 'MASTER' ? 'this node' : 'unknown')}`);
    out.push(`   virtual addresses      ${i.vips.length}`);
    for (const v of i.vips) out.push(`     ${v}`);
  }
  if (status.scripts.length > 0) {
    out.push('------< vigil tracked scripts >------');
    for (const s of status.scripts) out.push(` ${s.name}: ${s.up ? 'GOOD' : 'BAD'}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatStatsDump(status: DaemonStatus): string {
  const out: string[] = [];
  for (const i of status.instances) {
    const c = i.counters;
    out.push(`VRRP instance: ${i.name}`);
    out.push(`  advertisements received: ${c.adverts_received}`);
    out.push(`  advertisements sent:     ${c.adverts_sent}`);
    out.push(`  became master:           ${c.become_master}`);
    out.push(`  released master:         ${c.release_master}`);
    out.push(`  priority zero received:  ${c.priority_zero_received}`);
    out.push(`  priority zero sent:      ${c.priority_zero_sent}`);
    out.push(`  address list errors:     ${c.address_list_errors}`);
    out.push('  dropped packets:');
    const reasons = Object.entries(c.drops);
    if (reasons.length === 0) out.push('    none');
    for (const [reason, n] of reasons) out.push(`    ${reason}: ${n}`);
  }
  const nodeDrops = Object.entries(status.drops);
  if (nodeDrops.length > 0) {
    out.push('Dropped before reaching an instance:');
    for (const [reason, n] of nodeDrops) out.push(`  ${reason}: ${n}`);
  }
  return `${out.join('\n')}\n`;
}
