/**
 * SIGUSR1 / SIGUSR2 / JSON dumps. keepalived writes /tmp/keepalived.data (SIGUSR1, DATA), /tmp/keepalived.stats
 * (SIGUSR2, STATS and STATS_CLEAR) and keepalived.json (SIGRTMIN+2, JSON: `keepalived --signum=JSON`);
 * vigil writes the same three with its own prefix (vigil.data, vigil.stats, vigil.json), and not in the shared
 * /tmp but in a directory only root can write (`--dump-dir`, default /run/vigil, created 0700), each file made
 * new at 0600 and renamed into place (transport/real/private-files.ts). A dump that cannot be written is logged
 * and counted, never fatal. Text laid out for people; the JSON is the status.
 *
 * A large status (thousands of virtual servers) takes hundreds of milliseconds to lay out: the files are made a
 * piece at a time (an instance, a virtual server) and written a few milliseconds per turn of the event loop
 * (transport/real/private-files.ts replaceFileInSlices), so a dump never holds back an advertisement.
 */
import type { DaemonStatus } from '../status.js';
import type { DaemonLog } from '../environment.js';
import { ensurePrivateDirectory, replaceFileInSlices } from '../../transport/real/private-files.js';
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
    /** The name each file is written under (global_defs data_use_instance adds the instance and namespace). */
    private readonly named: (file: string) => string = (file) => file,
  ) {}

  /** At start: makes the directory (0700) if missing; a problem is said now, and again at each dump. */
  prepare(): void {
    try {
      ensurePrivateDirectory(this.dir);
    } catch (err) {
      this.log.warn(`dumps will not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** SIGUSR1: the data dump. Resolves with the number of files written; never rejects. */
  dataDump(status: DaemonStatus): Promise<number> {
    return this.write('data dump', [[DUMP_FILES.data, dataDumpPieces(status)]]);
  }

  /** keepalived's JSON signal (SIGRTMIN+2; vrrp_print_json): the JSON dump, alone, as keepalived's. */
  jsonDump(status: DaemonStatus): Promise<number> {
    return this.write('JSON dump', [[DUMP_FILES.json, jsonPieces(status)]]);
  }

  /** SIGUSR2: the stats dump. */
  statsDump(status: DaemonStatus): Promise<number> {
    return this.write('stats dump', [[DUMP_FILES.stats, statsDumpPieces(status)]]);
  }

  private async write(what: string, files: readonly (readonly [string, Iterable<string>])[]): Promise<number> {
    try {
      // Checked every time: the directory may have been removed (or replaced) since the last dump.
      ensurePrivateDirectory(this.dir);
    } catch (err) {
      this.failures += files.length;
      this.log.warn(`${what} not written: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
    const written: string[] = [];
    for (const [file, pieces] of files) {
      const name = this.named(file);
      const path = join(this.dir, name);
      try {
        await replaceFileInSlices(this.dir, name, pieces);
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
  return [...dataDumpPieces(status)].join('');
}

/** The data dump a piece at a time: a heading, an instance, the scripts. */
function* dataDumpPieces(status: DaemonStatus): Generator<string> {
  yield '------< vigil VRRP topology >------\n';
  for (const i of status.instances) {
    const out: string[] = [];
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
    yield `${out.join('\n')}\n`;
  }
  if (status.scripts.length > 0) {
    const out: string[] = ['------< vigil tracked scripts >------'];
    for (const s of status.scripts) out.push(` ${s.name}: ${s.up ? 'GOOD' : 'BAD'}`);
    yield `${out.join('\n')}\n`;
  }
}

export function formatStatsDump(status: DaemonStatus): string {
  return [...statsDumpPieces(status)].join('');
}

/** The stats dump a piece at a time: an instance, then the node's drops. */
function* statsDumpPieces(status: DaemonStatus): Generator<string> {
  let any = false;
  for (const i of status.instances) {
    any = true;
    const c = i.counters;
    const out: string[] = [];
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
    yield `${out.join('\n')}\n`;
  }
  const nodeDrops = Object.entries(status.drops);
  if (nodeDrops.length > 0) {
    any = true;
    const out: string[] = ['Dropped before reaching an instance:'];
    for (const [reason, n] of nodeDrops) out.push(`  ${reason}: ${n}`);
    yield `${out.join('\n')}\n`;
  }
  // An empty dump is one empty line, as before.
  if (!any) yield '\n';
}

/**
 * JSON.stringify(status, null, 2) and a newline, byte for byte, a piece at a time: each element of the status's
 * arrays (instances, virtual servers …) is one piece.
 */
export function* jsonPieces(status: DaemonStatus): Generator<string> {
  // What JSON.stringify leaves out of an object (not stringified to find out: that is the work being sliced).
  const entries = Object.entries(status).filter(([, value]) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [k, [key, value]] of entries.entries()) {
    const comma = k < entries.length - 1 ? ',' : '';
    const head = `  ${JSON.stringify(key)}: `;
    if (!Array.isArray(value) || value.length === 0) {
      yield `${head}${indented(value, '  ')}${comma}\n`;
      continue;
    }
    yield `${head}[\n`;
    for (const [e, element] of value.entries()) {
      // JSON.stringify writes undefined, functions and symbols in arrays as null.
      const text = element === undefined || typeof element === 'function' || typeof element === 'symbol' ? 'null' : indented(element, '    ');
      yield `    ${text}${e < value.length - 1 ? ',' : ''}\n`;
    }
    yield `  ]${comma}\n`;
  }
  yield '}\n';
}

/** JSON.stringify(value, null, 2) as it is laid out `indent` deep (strings never hold a raw newline in JSON). */
function indented(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}
