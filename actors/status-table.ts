/**
 * `vigil status` as a compact table: one line per instance, grouped by state (FAULT first: what needs a look), so
 * that a router with 255 instances fits a terminal; `--filter` narrows it. `--detail` keeps the long form
 * (formatStatus in status.ts).
 */
import { announceLines, bfdLines, type DaemonStatus, type InstanceStatus } from './status.js';

/** The order of the state groups: what needs attention first. */
const STATE_ORDER = ['FAULT', 'INIT', 'BACKUP', 'MASTER', 'STOP'];

/**
 * Whether an instance matches every word of `filter` (case-insensitive): a word is a substring of the name, the
 * state, the interface, a VIP or the master's address; `vrid=N` or `state=S` match that field exactly.
 */
export function matchesFilter(i: InstanceStatus, filter: string): boolean {
  return filter
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '')
    .every((word) => {
      const eq = /^(vrid|state)=(.+)$/.exec(word);
      if (eq) return eq[1] === 'vrid' ? String(i.vrid) === eq[2] : i.state.toLowerCase() === eq[2];
      return [i.name, i.state, i.interface, i.master_address ?? '', ...i.vips].some((f) => f.toLowerCase().includes(word));
    });
}

function dropCount(i: InstanceStatus): number {
  return Object.values(i.counters.drops).reduce((a, n) => a + (n ?? 0), 0);
}

const COLUMNS = ['INSTANCE', 'VRID', 'INTERFACE', 'VER', 'PRIO', 'MASTER', 'DROPS', 'VIPS'] as const;
/** Right-aligned columns (numbers). */
const RIGHT = new Set<string>(['VRID', 'DROPS']);

function row(i: InstanceStatus): string[] {
  const prio = i.effective_priority !== i.priority ? `${i.effective_priority}/${i.priority}` : String(i.priority);
  const vips = i.vips.length <= 2 ? i.vips.join(' ') : `${i.vips.slice(0, 2).join(' ')} +${i.vips.length - 2}`;
  return [i.name, String(i.vrid), i.interface, `v${i.version}/${i.family}`, prio, i.master_address ?? '-', String(dropCount(i)), vips || '-'];
}

function table(rows: readonly string[][]): string[] {
  const widths = COLUMNS.map((c, k) => Math.max(c.length, ...rows.map((r) => r[k]!.length)));
  const cell = (text: string, k: number): string => (RIGHT.has(COLUMNS[k]!) ? text.padStart(widths[k]!) : text.padEnd(widths[k]!));
  const line = (cells: readonly string[]): string => `  ${cells.map(cell).join('  ')}`.trimEnd();
  return [line(COLUMNS), ...rows.map(line)];
}

export function formatStatusTable(status: DaemonStatus, filter = ''): string {
  const shown = status.instances.filter((i) => matchesFilter(i, filter));
  const byState = new Map<string, InstanceStatus[]>();
  for (const i of shown) byState.set(i.state, [...(byState.get(i.state) ?? []), i]);
  const states = [...byState.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const counts = states.map((s) => `${byState.get(s)!.length} ${s}`).join(', ');
  const of = filter ? ` (filter '${filter}': ${shown.length} of ${status.instances.length})` : '';
  const lines = [
    `vigil pid ${status.pid}, config ${status.config_file}, ${status.reloads} reloads`,
    `${shown.length} instance${shown.length === 1 ? '' : 's'}${counts ? `: ${counts}` : ''}${of}`,
  ];
  for (const s of states) {
    const group = byState.get(s)!.slice().sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    lines.push(`${s} (${group.length})`, ...table(group.map(row)));
  }
  const down = status.scripts.filter((s) => !s.up).map((s) => s.name);
  if (status.scripts.length > 0) lines.push(`scripts: ${status.scripts.length - down.length} up, ${down.length} down${down.length ? ` (${down.join(' ')})` : ''}`);
  for (const vs of status.virtual_servers) {
    const alive = vs.real_servers.filter((r) => r.alive).length;
    lines.push(`virtual server ${vs.key}: quorum ${vs.quorum_up ? 'up' : 'down'}, ${alive}/${vs.real_servers.length} real servers up`);
  }
  const drops = Object.entries(status.drops).map(([r, n]) => `${r} ${n}`).join(', ');
  if (drops) lines.push(`dropped before routing: ${drops}`);
  if (status.kernel_drops) lines.push(`kernel_drops (receive buffer full, never read): ${status.kernel_drops}`);
  for (const e of status.send_errors ?? []) lines.push(`send errors on ${e.interface} (IPv${e.family}): ${e.code} ${e.count}`);
  lines.push(...bfdLines(status), ...announceLines(status));
  return `${lines.join('\n')}\n`;
}

function rank(state: string): number {
  const k = STATE_ORDER.indexOf(state);
  return k < 0 ? STATE_ORDER.length : k;
}
