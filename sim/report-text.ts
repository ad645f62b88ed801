/** The readable form of a simulation result: one line per event in virtual time, then the invariants. */
import { formatMs } from './duration.js';
import type { SimulationResult } from './run.js';

/** An argument with blanks or quotes is shown quoted, so that the line reads unambiguously. */
function quoted(arg: string): string {
  return arg === '' || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg;
}

export function formatTimeline(result: SimulationResult): string {
  type Line = { t: number; order: number; text: string };
  const lines: Line[] = [];
  let order = 0;
  for (const f of result.faults) lines.push({ t: f.t_ms, order: order++, text: `!! ${f.text}` });
  for (const tr of result.transitions) {
    lines.push({ t: tr.t_ms, order: order++, text: `${tr.node} ${tr.instance}: ${tr.from} -> ${tr.to}` });
  }
  for (const v of result.vips) {
    lines.push({ t: v.t_ms, order: order++, text: `${v.node}: ${v.action === 'add' ? '+' : '-'} ${v.address}` });
  }
  for (const p of result.pools) {
    lines.push({ t: p.t_ms, order: order++, text: `${p.node} pool ${p.service}: [${p.members.join(' ')}]` });
  }
  for (const a of result.announcements ?? []) {
    lines.push({ t: a.t_ms, order: order++, text: `${a.node} ${a.announced ? 'announces' : 'withdraws'} ${a.vip} (table ${a.table})` });
  }
  for (const r of result.scripts) {
    lines.push({ t: r.t_ms, order: order++, text: `${r.node} ran ${r.argv.map(quoted).join(' ')}: ${r.outcome}` });
  }
  lines.sort((a, b) => a.t - b.t || a.order - b.order);
  const out: string[] = [`simulation seed ${result.seed}, ${formatMs(result.duration_ms)} of virtual time`];
  for (const line of lines) out.push(`${formatMs(line.t).padStart(14)}  ${line.text}`);
  for (const e of result.ecmp ?? []) out.push(`ecmp ${e.service}: ${JSON.stringify({ ...e, service: undefined })}`);
  out.push('invariants:');
  for (const inv of result.invariants) out.push(`  ${inv.ok ? 'ok  ' : 'FAIL'} ${inv.name}: ${inv.detail}`);
  const drops = Object.entries(result.stats.packets_dropped)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  out.push(`stats: ${result.stats.events} events, ${result.stats.packets_sent} packets sent, dropped: ${drops || 'none'}`);
  return `${out.join('\n')}\n`;
}
