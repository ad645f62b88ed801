/**
 * The timeline picture of `vigil sim --svg`: one lane per node and instance, coloured by VRRP state
 * (keepalived's names), one per node and BFD session (`node bfd:NAME`, coloured by its RFC 5880 state), a DOWN band while the node's process was down, a bar under a lane while that instance
 * holds its virtual addresses, faults as red dashed lines, a time axis whose labels never overlap, and an
 * optional cursor. (The page draws its lanes itself: observe/page/client.ts.)
 */
import { axisTicks } from './axis-ticks.js';
import { stateColour } from './state-colours.js';

export interface TimelineSvgInput {
  readonly transitions: readonly { readonly t_ms: number; readonly node: string; readonly instance: string; readonly from: string; readonly to: string }[];
  /**
   * VIP changes with the instance that made them; '-' or no instance: every lane of the node (a reboot cleared
   * the node's addresses, or the source did not say which instance).
   */
  readonly vips: readonly { readonly t_ms: number; readonly node: string; readonly instance?: string | undefined; readonly address: string; readonly action: string }[];
  readonly faults: readonly { readonly t_ms: number; readonly text: string }[];
  /** BFD sessions' changes of state: a lane each, after the instances'. */
  readonly bfd?: readonly { readonly t_ms: number; readonly node: string; readonly session: string; readonly from: string; readonly to: string }[] | undefined;
  /** A node's process going down or coming up: DOWN bands over its lanes. */
  readonly processes?: readonly { readonly t_ms: number; readonly node: string; readonly up: boolean; readonly cause: string }[] | undefined;
  readonly startMs: number;
  readonly endMs: number;
  readonly cursorMs?: number | undefined;
  /** Wall-clock time at which `t_ms` 0 was: the axis shows times of day. */
  readonly wallAtZeroMs?: number | undefined;
  readonly width?: number | undefined;
  readonly title?: string | undefined;
}

export function timelineSvg(input: TimelineSvgInput): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const r1 = (n: number): number => Math.round(n * 10) / 10;
  const width = input.width ?? 1000;
  const labelW = 150;
  const laneH = 22;
  const gap = 12;
  // Rows from the top: title and legend, then fault labels on two staggered rows, then the lanes.
  const legendY = input.title ? 20 : 14;
  // A second legend row for the BFD sessions' states, when there are sessions.
  const bfdLegendY = (input.bfd ?? []).length > 0 ? legendY + 15 : undefined;
  const below = bfdLegendY === undefined ? legendY : bfdLegendY;
  const faultRows = [below + 16, below + 28];
  const top = below + 44;
  const plotW = width - labelW - 20;
  const start = input.startMs;
  const end = Math.max(input.endMs, start + 1);
  const x = (t: number): number => labelW + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * plotW;

  const lanes: string[] = [];
  const byLane = new Map<string, { t: number; state: string }[]>();
  for (const t of input.transitions) {
    const key = `${t.node} ${t.instance}`;
    if (!byLane.has(key)) {
      byLane.set(key, []);
      lanes.push(key);
    }
    byLane.get(key)!.push({ t: t.t_ms, state: t.to });
  }
  const bfdLanes = new Set<string>();
  for (const b of input.bfd ?? []) {
    const key = `${b.node} bfd:${b.session}`;
    if (!byLane.has(key)) {
      byLane.set(key, []);
      lanes.push(key);
      bfdLanes.add(key);
    }
    byLane.get(key)!.push({ t: b.t_ms, state: b.to });
  }
  const holding = new Map<string, { since: number; addresses: Set<string> }>();
  const vipBars = new Map<string, { from: number; to: number }[]>();
  const closeBar = (key: string, t: number): void => {
    const h = holding.get(key);
    if (!h || h.addresses.size > 0) return;
    const bars = vipBars.get(key) ?? [];
    bars.push({ from: h.since, to: t });
    vipBars.set(key, bars);
    holding.delete(key);
  };
  for (const v of input.vips) {
    const keys = v.instance === undefined || v.instance === '-' ? lanes.filter((l) => l.startsWith(`${v.node} `) && !bfdLanes.has(l)) : [`${v.node} ${v.instance}`];
    for (const key of keys) {
      if (v.action === 'add') {
        const h = holding.get(key) ?? { since: v.t_ms, addresses: new Set<string>() };
        h.addresses.add(v.address);
        holding.set(key, h);
      } else {
        const h = holding.get(key);
        if (!h) continue;
        h.addresses.delete(v.address);
        closeBar(key, v.t_ms);
      }
    }
  }
  for (const [key, h] of holding) {
    const bars = vipBars.get(key) ?? [];
    bars.push({ from: h.since, to: end });
    vipBars.set(key, bars);
  }

  const height = top + lanes.length * (laneH + gap) + 28;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="vigil-timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="monospace" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (input.title) out.push(`<text x="10" y="20" font-size="14" font-weight="bold">${esc(input.title)}</text>`);
  // Time axis: a round step chosen so that no two labels overlap.
  const axisY = height - 18;
  out.push(`<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" stroke="#57606a"/>`);
  for (const tick of axisTicks(start, end, plotW, start, input.wallAtZeroMs)) {
    const tx = r1(x(tick.at));
    out.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 4}" stroke="#57606a"/>`);
    out.push(`<text class="tick" x="${tx}" y="${axisY + 15}" text-anchor="middle" fill="#57606a">${esc(tick.label)}</text>`);
  }
  const downs = new Map<string, { from: number; to: number; cause: string }[]>();
  const openDown = new Map<string, { from: number; cause: string }>();
  for (const p of input.processes ?? []) {
    const open = openDown.get(p.node);
    if (!p.up && !open) openDown.set(p.node, { from: p.t_ms, cause: p.cause });
    if (p.up && open) {
      downs.set(p.node, [...(downs.get(p.node) ?? []), { from: open.from, to: p.t_ms, cause: open.cause }]);
      openDown.delete(p.node);
    }
  }
  for (const [node, open] of openDown) downs.set(node, [...(downs.get(node) ?? []), { from: open.from, to: end, cause: open.cause }]);
  lanes.forEach((key, i) => {
    const y = top + i * (laneH + gap);
    out.push(`<text x="8" y="${y + 15}" class="lane-label">${esc(key)}</text>`);
    out.push(`<rect x="${labelW}" y="${y}" width="${plotW}" height="${laneH}" fill="#f6f8fa"/>`);
    const changes = byLane.get(key)!;
    changes.forEach((c, j) => {
      const until = j + 1 < changes.length ? changes[j + 1]!.t : end;
      const x0 = x(c.t);
      const w = Math.max(x(until) - x0, 0.5);
      out.push(
        `<rect class="seg" data-lane="${esc(key)}" data-state="${esc(c.state)}" x="${r1(x0)}" y="${y}" width="${r1(w)}" height="${laneH}" fill="${stateColour(c.state) ?? '#8c959f'}"><title>${esc(`${key}: ${c.state} from ${c.t / 1000} s`)}</title></rect>`,
      );
      if (w > c.state.length * 7.3 + 6) out.push(`<text x="${r1(x0 + 4)}" y="${y + 15}" fill="#ffffff" pointer-events="none">${c.state}</text>`);
    });
    for (const d of downs.get(key.slice(0, key.indexOf(' '))) ?? []) {
      const x0 = x(d.from);
      out.push(
        `<rect class="down" data-lane="${esc(key)}" x="${r1(x0)}" y="${y}" width="${r1(Math.max(x(d.to) - x0, 0.5))}" height="${laneH}" fill="${stateColour('DOWN')}"><title>${esc(`${key}: process down (${d.cause}) from ${d.from / 1000} s to ${d.to / 1000} s`)}</title></rect>`,
      );
    }
    for (const bar of vipBars.get(key) ?? []) {
      out.push(
        `<rect class="vip" data-lane="${esc(key)}" x="${r1(x(bar.from))}" y="${y + laneH + 2}" width="${r1(Math.max(x(bar.to) - x(bar.from), 0.5))}" height="4" fill="#8250df"><title>${esc(`${key} holds its VIPs`)}</title></rect>`,
      );
    }
  });
  input.faults.forEach((f, i) => {
    const fx = r1(x(f.t_ms));
    const row = faultRows[i % 2]!;
    // A label stops before the next fault on its row (the full text is in the tooltip).
    const next = input.faults[i + 2];
    const room = (next ? x(next.t_ms) : width) - fx - 8;
    const chars = Math.max(0, Math.floor(room / 6.7));
    const label = f.text.length <= chars ? f.text : `${f.text.slice(0, Math.max(0, chars - 1))}…`;
    out.push(
      `<g class="fault"><line x1="${fx}" y1="${row + 2}" x2="${fx}" y2="${axisY}" stroke="#cf222e" stroke-dasharray="4 3"/><text x="${fx + 3}" y="${row}" fill="#cf222e" font-size="11">${esc(label)}</text><title>${esc(`${f.t_ms / 1000} s: ${f.text}`)}</title></g>`,
    );
  });
  if (input.cursorMs !== undefined) {
    const cx = r1(x(input.cursorMs));
    out.push(`<line class="cursor" x1="${cx}" y1="${top - 6}" x2="${cx}" y2="${axisY}" stroke="#24292f" stroke-width="2"/>`);
  }
  const legend = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DOWN'];
  legend.forEach((s, i) => {
    const lx = width - 20 - (legend.length - i) * 80;
    out.push(`<rect x="${lx}" y="${legendY - 9}" width="10" height="10" fill="${stateColour(s)}"/><text x="${lx + 14}" y="${legendY}">${s}</text>`);
  });
  // The sessions' states, under the instances', right-aligned with them.
  if (bfdLegendY !== undefined) {
    ['AdminDown', 'Down', 'Init', 'Up'].forEach((s, i) => {
      const lx = width - 20 - (4 - i) * 110;
      out.push(`<rect class="legend-bfd" x="${lx}" y="${bfdLegendY - 9}" width="10" height="10" fill="${stateColour(s)}"/><text x="${lx + 14}" y="${bfdLegendY}">BFD ${s}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n');
}
