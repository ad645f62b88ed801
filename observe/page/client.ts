/**
 * The page's code in the browser. Injected into the HTML with Function.prototype.toString (with createLaneModel,
 * axisTicks and stateColour), so it must stay self-contained: no imports other than those, no outside names. It folds the
 * numbered inspection records up to the scrubber's position into the state of every actor, lights the active
 * states in each statechart, draws the timeline lanes with a cursor, and (live) follows /events over server-sent
 * events.
 *
 * Built for sites of hundreds of instances and hours of history: the lanes are grouped, filtered and merged by
 * the lane model, and only the rows in sight are in the DOM (the lane list and the actor list are both
 * virtualised: a spacer gives the scroll height, the visible rows are drawn at their offset). Stepping redraws
 * only those rows; the fold keeps checkpoints so that stepping back does not start from the first record.
 */
import type { ObservedEvent } from '../observed-event.js';
import { axisTicks } from './axis-ticks.js';
import { createLaneModel, type DownBand, type Lane, type LaneGrouping, type LaneRow } from './lane-model.js';
import { stateColour } from './state-colours.js';
import type { SiteSnapshot } from '../site/site-snapshot.js';

export interface PageBoot {
  readonly title: string;
  /** Follow the server's /events stream. */
  readonly live: boolean;
  readonly eventsUrl?: string | undefined;
  /** Where to fetch the SVG of a machine first seen after the page loaded (id appended, then ".svg"). */
  readonly machineUrl?: string | undefined;
  readonly svgs: Readonly<Record<string, string>>;
  /** The thumbnail of each machine, shown on its cards (the full chart, `svgs`, on click). */
  readonly thumbs?: Readonly<Record<string, string>> | undefined;
  readonly events: readonly (readonly [number, ObservedEvent])[];
  readonly startMs?: number | undefined;
  readonly endMs?: number | undefined;
  /**
   * The wall-clock time (ms since 1970) at which the records' clock read 0: a daemon's recording or live page,
   * whose axis then offers the time of day.
   */
  readonly wallAtZeroMs?: number | undefined;
  /** Statecharts shown at first when there are many actors. */
  readonly maxCharts?: number | undefined;
  /** A site's peers (`vigil site`): shown in the header, updated by `site` events. */
  readonly site?: SiteSnapshot | undefined;
}

export function vigilPage(boot: PageBoot): void {
  type Actor = {
    actor: string;
    node: string;
    id: string;
    machine: string;
    state: string[];
    /** The last changes of state, oldest first: the path that led to the state (marked on the statechart). */
    trail: { from: string[]; to: string[]; event: string }[];
    info: Record<string, unknown>;
    since: number;
  };
  type Folded = { upto: number; actors: Map<string, Actor>; at: number };
  const ROW_H = 26;
  const ACTOR_H = 26;
  const LABEL_W = 210;
  const OVERSCAN = 6;
  // A band is DOWN (the node's process was down) or UNREACHABLE (a site could not reach the node: its state unknown).
  const bandName = (d: DownBand): string => (d.cause === 'unreachable' ? 'UNREACHABLE' : 'DOWN');
  const bandText = (node: string, d: DownBand): string => (d.cause === 'unreachable' ? `${node}: not reachable from the site, state unknown` : `${node}: process down (${d.cause})`);
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const r1 = (n: number): number => Math.round(n * 10) / 10;
  const events: (readonly [number, ObservedEvent])[] = [...boot.events];
  const svgs: Record<string, string> = { ...boot.svgs };
  const thumbs: Record<string, string> = { ...(boot.thumbs ?? {}) };
  let lastSeq = events.length > 0 ? events[events.length - 1]![0] : -1;
  let cursor = events.length;
  let following = true;
  let endMs = boot.endMs ?? 0;
  const startMs = boot.startMs ?? (events.length > 0 ? events[0]![1].at : 0);
  const selected = new Set<string>();
  let selectionTouched = false;
  type Card = { el: HTMLElement; boxes: SVGGElement[]; edges: SVGGElement[]; loops: SVGGElement[]; slots: SVGTextElement[]; machine: string; drawn: string };
  const cards = new Map<string, Card>();
  // What the timeline shows: the time window (undefined: all of it), grouping, filter, collapsed groups and
  // merged lanes opened member by member.
  let view: { from: number; to: number } | undefined;
  let groupBy: LaneGrouping = 'node';
  let filter = '';
  let changedOnly = false;
  const collapsed = new Set<string>();
  const expanded = new Set<string>();
  let playing: { wallStart: number; fromMs: number } | undefined;
  // The records' clock at wall-clock time 0: given (a daemon's), or 0 when their times are themselves wall-clock
  // times (after 2001: `vigil site`'s merged page). The axis shows times of day then (a checkbox turns it back to
  // time since the start).
  const wallZero = boot.wallAtZeroMs ?? (startMs > 1e12 ? 0 : undefined);
  let clockTime = wallZero !== undefined;

  const seconds = (ms: number): string => `${((ms - startMs) / 1000).toFixed(3)} s`;
  /** The time of day of a record (with its milliseconds), for records with wall-clock time. */
  const timeOfDay = (ms: number): string => {
    if (wallZero === undefined) return '';
    const d = new Date(ms + wallZero);
    const p = (n: number, w = 2): string => String(n).padStart(w, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  };
  const top = (state: readonly string[]): string => {
    const first = state[0] ?? '';
    const dot = first.indexOf('.');
    return dot < 0 ? first : first.slice(0, dot);
  };
  const activeSet = (state: readonly string[]): Set<string> => {
    const out = new Set<string>();
    for (const p of state) {
      const parts = p.split('.');
      for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
    }
    return out;
  };
  const describe = (e: ObservedEvent): string => {
    switch (e.kind) {
      case 'machine':
        return `machine ${e.graph.id}`;
      case 'actor':
        return `${e.actor} started (${e.machine})`;
      case 'step':
        return `${e.actor}: ${e.event} → ${e.state.join(', ')}`;
      case 'fault':
        return `fault: ${e.text}`;
      case 'repeated':
        return `${e.count} × ${e.message.kind} (${e.message.at} to ${e.last} ms)`;
      case 'steady':
        return `${e.actor}: ${e.count} × ${e.event}, unchanged (${e.first} to ${e.last} ms)`;
      case 'process':
        return `${e.node}: process ${e.up ? 'up' : 'DOWN'} (${e.cause})`;
      case 'bus': {
        const m = e.message;
        if (m.kind === 'transition') return `${m.node}/${m.instance}: ${m.from} → ${m.to} (priority ${m.priority})`;
        if (m.kind === 'vip') return `${m.node}/${m.instance}: ${m.action === 'add' ? 'adds' : 'removes'} ${m.address}`;
        if (m.kind === 'warning') return `${m.node}${m.instance ? `/${m.instance}` : ''}: ${m.message}`;
        if (m.kind === 'sync') return `${m.node} sync group ${m.group}: ${m.from} → ${m.to}`;
        if (m.kind === 'bfd') return `${m.node} BFD ${m.session} (${m.neighbor}): ${m.from} → ${m.to}${m.diag !== 0 ? ` (diag ${m.diag})` : ''}`;
        if (m.kind === 'real_server') return `${m.node} VS ${m.vs}: real server ${m.rs} ${m.state}${m.stopping ? ' (stopping)' : ''}`;
        if (m.kind === 'quorum') return `${m.node} VS ${m.vs}: quorum ${m.state === 'UP' ? 'gained' : 'lost'}${m.stopping ? ' (stopping)' : ''}`;
        return `${m.kind}`;
      }
    }
  };

  // The lanes come from every record (the cursor only draws a line): fed once, as records come.
  const model = createLaneModel();
  let modelSeen = 0;
  const feedModel = (): void => {
    for (; modelSeen < events.length; modelSeen++) model.add(events[modelSeen]![1]);
  };

  // The fold up to the cursor is kept, with a copy every CHECKPOINT records: stepping forward folds only the new
  // records, stepping back starts from the checkpoint before the cursor.
  const CHECKPOINT = 2000;
  /** Changes of state marked on a statechart: the one that led to the state, and those before it. */
  const TRAIL = 3;
  const checkpoints: Folded[] = [];
  const copy = (f: Folded): Folded => {
    const actors = new Map<string, Actor>();
    for (const [k, a] of f.actors) actors.set(k, { ...a });
    return { upto: f.upto, actors, at: f.at };
  };
  let folded: Folded = { upto: 0, actors: new Map(), at: startMs };
  const fold = (upto: number): Folded => {
    if (upto < folded.upto) {
      let best: Folded | undefined;
      for (const c of checkpoints) if (c.upto <= upto && (!best || c.upto > best.upto)) best = c;
      folded = best ? copy(best) : { upto: 0, actors: new Map(), at: startMs };
    }
    const actors = folded.actors;
    let at = folded.at;
    for (let i = folded.upto; i < upto; i++) {
      const e = events[i]![1];
      at = Math.max(at, e.at);
      if (e.kind === 'actor') {
        actors.set(e.actor, { actor: e.actor, node: e.node, id: e.id, machine: e.machine, state: [], trail: [], info: {}, since: e.at });
      } else if (e.kind === 'step') {
        const a = actors.get(e.actor);
        if (a) {
          if (e.changed) {
            // A new array, not a push: the checkpoints share the old one.
            a.trail = [...a.trail.slice(1 - TRAIL), { from: a.state, to: [...e.state], event: e.event }];
            a.state = [...e.state];
            a.since = e.at;
          }
          if (e.info) a.info = { ...e.info };
        }
      }
      if ((i + 1) % CHECKPOINT === 0 && !checkpoints.some((c) => c.upto === i + 1)) {
        checkpoints.push(copy({ upto: i + 1, actors, at }));
      }
    }
    folded = { upto, actors, at };
    return folded;
  };

  const lastMs = (): number => Math.max(endMs, events.length > 0 ? events[events.length - 1]![1].at : startMs, startMs + 1);
  const cursorMs = (): number => (cursor > 0 ? events[cursor - 1]![1].at : startMs);
  const currentView = (): { from: number; to: number } => view ?? { from: startMs, to: lastMs() };
  // Layout read once per render, before anything is written (reading it after a write would force a layout).
  const geometry = { plotW: 1000, bodyTop: 0, bodyH: 480, asideTop: 0, asideH: 800, actorsOffset: 0 };
  const measure = (): void => {
    geometry.plotW = Math.max(240, ($('timeline').clientWidth || 1000) - LABEL_W - 26);
    const body = $('tl-body');
    geometry.bodyTop = body.scrollTop;
    const box = $('actors');
    const aside = box.parentElement!;
    geometry.asideTop = aside.scrollTop;
    geometry.asideH = aside.clientHeight || 800;
    geometry.actorsOffset = box.offsetTop;
  };
  const plotWidth = (): number => geometry.plotW;
  /** Index just past the last record at or before `t`. */
  const recordAt = (t: number): number => {
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid]![1].at <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // ---- the lane rows (grouped, filtered, merged), recomputed only when something they depend on changed ----
  let rowsCache: { key: string; rows: LaneRow[]; matching: Lane[] } | undefined;
  const laneRows = (): { rows: LaneRow[]; matching: Lane[] } => {
    const v = currentView();
    const quantumMs = (v.to - v.from) / plotWidth();
    const stateFilter = /state=/i.test(filter);
    const key = [model.version(), groupBy, filter, changedOnly ? `${v.from}-${v.to}` : '', [...collapsed].join(','), [...expanded].join(','), quantumMs, stateFilter ? cursorMs() : ''].join('|');
    if (rowsCache?.key !== key) {
      const r = model.rows({ groupBy, filter, changedIn: changedOnly ? v : undefined, collapsed, expanded, quantumMs, at: cursorMs() });
      rowsCache = { key, ...r };
    }
    return rowsCache;
  };

  const laneSvg = (lane: Lane, v: { from: number; to: number }, plotW: number): string => {
    const span = v.to - v.from;
    const x = (t: number): number => ((Math.min(Math.max(t, v.from), v.to) - v.from) / span) * plotW;
    const bandH = ROW_H - 9;
    const out: string[] = [`<svg class="lane-svg" width="${plotW}" height="${ROW_H}" font-family="monospace" font-size="11">`];
    const segs = lane.segments;
    const end = lastMs();
    const short: string[] = [];
    for (let j = 0; j < segs.length; j++) {
      const c = segs[j]!;
      const until = j + 1 < segs.length ? segs[j + 1]!.t : end;
      if (until < v.from || c.t > v.to) continue;
      const x0 = x(c.t);
      const w = x(until) - x0;
      const rect = (width: number): string =>
        `<rect class="seg" data-lane="${esc(lane.key)}" data-state="${esc(c.state)}" x="${r1(x0)}" y="1" width="${r1(width)}" height="${bandH}" fill="${stateColour(c.state) ?? '#8c959f'}"><title>${esc(`${lane.key}: ${c.state} from ${seconds(c.t)} for ${((until - c.t) / 1000).toFixed(3)} s`)}</title></rect>`;
      // A state held for less than two pixels is drawn two pixels wide, over its neighbours, so a blip shows.
      if (w < 2) short.push(rect(2));
      else out.push(rect(w));
      if (w > c.state.length * 6.7 + 6) out.push(`<text x="${r1(x0 + 4)}" y="${bandH - 3}" fill="#ffffff" pointer-events="none">${c.state}</text>`);
    }
    out.push(...short);
    // The process was down: no state at all (whatever the last one was), drawn over the lane. The VIP line below
    // stays: a crash leaves the addresses in the kernel.
    for (const d of model.downs.get(lane.node) ?? []) {
      const to = d.to ?? end;
      if (to < v.from || d.from > v.to) continue;
      const x0 = x(d.from);
      const w = Math.max(x(to) - x0, 0.5);
      const name = bandName(d);
      out.push(
        `<rect class="down" data-lane="${esc(lane.key)}" data-band="${name}" x="${r1(x0)}" y="1" width="${r1(w)}" height="${bandH}" fill="${stateColour(name)}"><title>${esc(`${bandText(lane.node, d)} from ${seconds(d.from)}${d.to === undefined ? '' : ` to ${seconds(d.to)}`}`)}</title></rect>`,
      );
      if (w > name.length * 6.7 + 8) out.push(`<text x="${r1(x0 + 4)}" y="${bandH - 3}" fill="#ffffff" pointer-events="none">${name}</text>`);
    }
    for (const bar of lane.vips) {
      const to = bar.to ?? end;
      if (to < v.from || bar.from > v.to) continue;
      out.push(
        `<rect class="vip" data-lane="${esc(lane.key)}" x="${r1(x(bar.from))}" y="${bandH + 3}" width="${r1(Math.max(x(to) - x(bar.from), 0.5))}" height="4" fill="#8250df"><title>${esc(`${lane.key} holds its VIPs`)}</title></rect>`,
      );
    }
    out.push('</svg>');
    return out.join('');
  };

  /**
   * Puts exactly these rows (HTML strings, each one element at its own offset) in `box`, keeping the elements
   * whose HTML is unchanged: a step that changes nothing in sight changes nothing in the DOM.
   */
  const drawn = new WeakMap<Element, string>();
  const patch = (box: HTMLElement, rows: readonly string[]): void => {
    const want = new Set(rows);
    const have = new Set<string>();
    for (const el of [...box.children]) {
      const html = drawn.get(el);
      if (html === undefined || !want.has(html) || have.has(html)) el.remove();
      else have.add(html);
    }
    const template = document.createElement('template');
    for (const html of rows) {
      if (have.has(html)) continue;
      template.innerHTML = html;
      const el = template.content.firstElementChild;
      if (!el) continue;
      drawn.set(el, html);
      box.appendChild(el);
    }
  };

  const stateBadge = (s: string): string => (s ? `<span class="state s-${esc(s)}">${esc(s)}</span>` : '');

  const renderLanes = (): void => {
    const { rows, matching } = laneRows();
    const v = currentView();
    const plotW = plotWidth();
    const body = $('tl-body');
    const at = cursorMs();
    ($('tl-spacer') as HTMLElement).style.height = `${rows.length * ROW_H}px`;
    // The lanes' viewport: as tall as its rows, up to 62% of the window (its height is set, not measured).
    const bodyH = Math.max(120, Math.min(rows.length * ROW_H, Math.floor((window.innerHeight || 1000) * 0.62)));
    if (bodyH !== geometry.bodyH) body.style.height = `${bodyH}px`;
    geometry.bodyH = bodyH;
    const first = Math.max(0, Math.floor(geometry.bodyTop / ROW_H) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((geometry.bodyTop + bodyH) / ROW_H) + OVERSCAN);
    const html: string[] = [];
    for (let i = first; i < last; i++) {
      const row = rows[i]!;
      const y = i * ROW_H;
      if (row.kind === 'group') {
        const counts = new Map<string, number>();
        for (const l of row.lanes) {
          const s = model.stateAt(l, at) || 'none';
          counts.set(s, (counts.get(s) ?? 0) + 1);
        }
        const summary = [...counts].map(([s, n]) => `<span class="state s-${esc(s)}">${n} ${esc(s)}</span>`).join(' ');
        html.push(
          `<div class="row group${row.collapsed ? ' collapsed' : ''}" data-group="${esc(row.key)}" style="top:${y}px"><span class="caret">${row.collapsed ? '▸' : '▾'}</span> <b>${esc(row.label)}</b> <span class="n">${row.lanes.length} lane${row.lanes.length === 1 ? '' : 's'}</span> ${summary}</div>`,
        );
        continue;
      }
      const n = row.members.length;
      const names = n > 1 ? row.members.slice(0, 30).map((m) => m.key).join(', ') + (n > 30 ? ', …' : '') : row.lane.key;
      const count = n > 1 ? ` <span class="count" title="${esc(`${n} lanes with the same history: ${names}`)}">${row.expanded ? '▾' : '×'}${n}</span>` : '';
      html.push(
        `<div class="row lane${row.member ? ' member' : ''}" data-lane="${esc(row.lane.key)}" data-count="${n}" style="top:${y}px"><div class="lane-label" title="${esc(names)}"><span class="lane-name">${esc(row.lane.key)}</span>${count}${stateBadge(model.stateAt(row.lane, at))}</div>${laneSvg(row.lane, v, plotW)}</div>`,
      );
    }
    patch($('tl-rows'), html);
    $('lane-count').textContent = `${matching.length} of ${model.lanes.length} lanes · ${rows.length} rows`;
    document.body.dataset['rows'] = String(rows.length);
    document.body.dataset['matching'] = String(matching.length);
    renderOverlay(Math.min(geometry.bodyH, rows.length * ROW_H));
  };

  /** The axis (ticks chosen for the span and the room), the legend and the fault labels, above the lanes. */
  let headKey = '';
  const renderHead = (): void => {
    const v = currentView();
    const plotW = plotWidth();
    const bfd = model.lanes.some((l) => l.kind === 'bfd');
    const key = `${v.from}|${v.to}|${plotW}|${model.faults.length}|${bfd}|${clockTime}`;
    if (key === headKey) return;
    headKey = key;
    // Room on the right for the half of the last label that passes the end of the lanes.
    const width = LABEL_W + plotW + 24;
    const x = (t: number): number => LABEL_W + ((t - v.from) / (v.to - v.from)) * plotW;
    const out: string[] = [`<svg class="vigil-timeline" width="${width}" height="70" font-family="monospace" font-size="12">`];
    const legend = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DOWN', ...(boot.site ? ['UNREACHABLE'] : [])];
    legend.forEach((s, i) => {
      const lx = 8 + i * 80;
      out.push(`<rect x="${lx}" y="4" width="10" height="10" fill="${stateColour(s)}"/><text x="${lx + 14}" y="13">${s}</text>`);
    });
    // BFD sessions' states, once there is a session lane (after the VRRP ones: 80 px each, the last as wide as its label).
    if (bfd) {
      let lx = 8 + (legend.length - 1) * 80 + 14 + legend[legend.length - 1]!.length * 7.3 + 34;
      for (const s of ['AdminDown', 'Down', 'Init', 'Up']) {
        out.push(`<rect class="legend-bfd" x="${lx}" y="4" width="10" height="10" fill="${stateColour(s)}"/><text x="${lx + 14}" y="13">BFD ${s}</text>`);
        lx += 14 + (4 + s.length) * 7.3 + 18;
      }
    }
    const faults = model.faults.filter((f) => f.t >= v.from && f.t <= v.to);
    faults.forEach((f, i) => {
      const fx = r1(x(f.t));
      const row = i % 2 === 0 ? 28 : 40;
      const next = faults[i + 2];
      const room = (next ? x(next.t) : width) - fx - 8;
      const chars = Math.max(0, Math.floor(room / 6.7));
      const label = f.text.length <= chars ? f.text : `${f.text.slice(0, Math.max(0, chars - 1))}…`;
      out.push(
        `<g class="fault"><line x1="${fx}" y1="${row + 2}" x2="${fx}" y2="70" stroke="#cf222e" stroke-dasharray="4 3"/><text x="${fx + 3}" y="${row}" fill="#cf222e" font-size="11">${esc(label)}</text><title>${esc(`${seconds(f.t)}: ${f.text}`)}</title></g>`,
      );
    });
    const axisY = 68;
    out.push(`<line x1="${LABEL_W}" y1="${axisY}" x2="${LABEL_W + plotW}" y2="${axisY}" stroke="#57606a"/>`);
    for (const tick of axisTicks(v.from, v.to, plotW, startMs, clockTime ? wallZero : null)) {
      const tx = r1(x(tick.at));
      out.push(`<line x1="${tx}" y1="${axisY - 5}" x2="${tx}" y2="${axisY}" stroke="#57606a"/><text class="tick" x="${tx}" y="${axisY - 8}" text-anchor="middle" fill="#57606a">${esc(tick.label)}</text>`);
    }
    out.push('</svg>');
    $('tl-head').innerHTML = out.join('');
  };

  /** Over the visible lanes: the faults as dashed lines, the cursor. */
  const renderOverlay = (height: number): void => {
    const v = currentView();
    const plotW = plotWidth();
    const x = (t: number): number => ((t - v.from) / (v.to - v.from)) * plotW;
    const out: string[] = [];
    for (const f of model.faults) {
      if (f.t < v.from || f.t > v.to) continue;
      out.push(`<line class="fault-line" x1="${r1(x(f.t))}" y1="0" x2="${r1(x(f.t))}" y2="${height}" stroke="#cf222e" stroke-dasharray="4 3"/>`);
    }
    const c = cursorMs();
    if (cursor < events.length && c >= v.from && c <= v.to) {
      out.push(`<line class="cursor" x1="${r1(x(c))}" y1="0" x2="${r1(x(c))}" y2="${height}" stroke="#24292f" stroke-width="2"/>`);
    }
    const overlay = $('tl-overlay');
    overlay.setAttribute('width', String(plotW));
    overlay.setAttribute('height', String(height));
    overlay.style.left = `${LABEL_W}px`;
    overlay.innerHTML = out.join('');
  };

  /**
   * The edges (and a thumbnail's loop marks) of a card that a change of state took: from a box it left to a box it
   * entered (a loop: within its box), for its event (`data-on` tokens on a thumbnail, the label on the full chart;
   * a timer's `after DELAY`), else an eventless one.
   */
  const firedBy = (c: { from: string[]; to: string[]; event: string }, card: Card): Element[] => {
    if (c.from.length === 0) return [];
    const before = activeSet(c.from);
    const after = activeSet(c.to);
    const delay = c.event.startsWith('xstate.after.') ? c.event.slice('xstate.after.'.length).split('.')[0] : undefined;
    const token = delay !== undefined ? `after:${delay}` : c.event;
    const tokens = (el: SVGGElement): string[] => {
      if (el.dataset['on'] !== undefined) return el.dataset['on'].split(' ');
      const label = el.dataset['event'] ?? '';
      if (label.startsWith('after ')) return [`after:${label.slice(6)}`];
      if (el.classList.contains('always')) return ['always'];
      return [label.split(' ')[0]!];
    };
    const leavesIn = (state: readonly string[], path: string): string => state.filter((p) => p.startsWith(`${path}.`)).join(',');
    const candidates: SVGGElement[] = card.edges.filter((e) => {
      const source = e.dataset['source'] ?? '';
      const target = e.dataset['target'] ?? '';
      return before.has(source) && after.has(target) && !before.has(target);
    });
    for (const l of card.loops) {
      const path = l.dataset['state'] ?? '';
      if (before.has(path) && after.has(path) && leavesIn(c.from, path) !== leavesIn(c.to, path)) candidates.push(l);
    }
    const fired = candidates.filter((e) => tokens(e).includes(token));
    return fired.length > 0 ? fired : candidates.filter((e) => tokens(e).includes('always'));
  };

  const parsedSvgs = new Map<string, HTMLTemplateElement>();
  /** A copy of a drawing (parsed once per machine and kind), or undefined when there is none. */
  const drawing = (kind: 'full' | 'thumb', machine: string): Node | undefined => {
    const text = kind === 'full' ? svgs[machine] : thumbs[machine];
    if (!text) return undefined;
    let parsed = parsedSvgs.get(`${kind}:${machine}`);
    if (!parsed) {
      parsed = document.createElement('template');
      parsed.innerHTML = text;
      parsedSvgs.set(`${kind}:${machine}`, parsed);
    }
    return parsed.content.cloneNode(true);
  };
  /** The elements of a card's drawings the fold lights (both drawings, once the full one is open). */
  const collect = (card: Card): void => {
    const el = card.el;
    card.boxes = [...el.querySelectorAll<SVGGElement>('g.box[data-state]')];
    card.edges = [...el.querySelectorAll<SVGGElement>('g.edge[data-source]')];
    card.loops = [...el.querySelectorAll<SVGGElement>('g.loop[data-state]')];
    card.slots = [...el.querySelectorAll<SVGTextElement>('text.slot[data-slot]')];
  };
  const ensureCard = (a: Actor): void => {
    const existing = cards.get(a.actor);
    // Made again when its machine changed, or its drawing came since (the live page fetches a new machine's).
    const drawn = thumbs[a.machine] ? 'thumb' : svgs[a.machine] ? 'full' : '';
    if (existing && existing.machine === a.machine && existing.drawn === drawn) return;
    const el = document.createElement('div');
    el.className = 'card';
    el.dataset['actor'] = a.actor;
    el.innerHTML = `<div class="card-head"><span class="card-name"></span><span class="state"></span></div><div class="info"></div><div class="chart"></div>`;
    (el.querySelector('.card-name') as HTMLElement).textContent = `${a.node} / ${a.id}  (${a.machine})`;
    const chart = el.querySelector('.chart') as HTMLElement;
    // The thumbnail (the full chart when the machine has none); the full chart on click, made then.
    const thumb = drawing('thumb', a.machine) ?? drawing('full', a.machine);
    if (thumb) chart.appendChild(thumb);
    else chart.innerHTML = `<p class="missing">no drawing of machine ${esc(a.machine)}</p>`;
    chart.classList.add(thumbs[a.machine] ? 'thumb' : 'full');
    // At its own size when there is room; never under 0.75 of it (its 12 px labels stay 9 px or more: in a
    // narrower card it scrolls).
    const shown = chart.querySelector('svg');
    const natural = Number(shown?.getAttribute('width') ?? 400);
    if (shown) shown.style.minWidth = `${Math.ceil(natural * 0.75)}px`;
    el.style.flexBasis = `${natural + 24}px`;
    el.style.maxWidth = `${natural + 24}px`;
    const card: Card = { el, machine: a.machine, drawn, boxes: [], edges: [], loops: [], slots: [] };
    const toggle = (): void => {
      const wide = !el.classList.contains('wide');
      el.classList.toggle('wide', wide);
      if (!thumbs[a.machine]) return;
      let full = el.querySelector('.chart.full') as HTMLElement | null;
      if (wide && !full) {
        full = document.createElement('div');
        full.className = 'chart full';
        const svg = drawing('full', a.machine);
        if (svg) full.appendChild(svg);
        // As wide as the card, but not under 0.75 of its own size (it scrolls instead).
        const drawn = full.querySelector('svg');
        if (drawn) drawn.style.minWidth = `${Math.ceil(Number(drawn.getAttribute('width') ?? 0) * 0.75)}px`;
        full.addEventListener('click', toggle);
        el.appendChild(full);
        collect(card);
      }
      chart.hidden = wide;
      if (full) full.hidden = !wide;
      schedule();
    };
    chart.addEventListener('click', toggle);
    // In the place of the card it replaces.
    if (existing) existing.el.replaceWith(el);
    else $('charts').appendChild(el);
    collect(card);
    cards.set(a.actor, card);
  };

  /** The state to show for an actor: DOWN while its node's process is down (UNREACHABLE while a site cannot reach it). */
  const shownState = (a: Actor, at: number): string => {
    const down = model.downAt(a.node, at);
    return down ? bandName(down) : top(a.state);
  };

  /** The actor list: grouped by node, filtered like the lanes (plain words and node=, state=), virtualised. */
  const renderActors = (actors: Map<string, Actor>, at: number): void => {
    const words = filter.toLowerCase().split(/\s+/).filter((w) => w.length > 0 && !/^(vrid|interface|iface|group)=/.test(w));
    const all = words.length === 0;
    const rows: ({ node: string } | { actor: Actor })[] = [];
    let lastNode: string | undefined;
    const byNode = new Map<string, Actor[]>();
    for (const a of actors.values()) {
      if (all) {
        const list = byNode.get(a.node);
        if (list) list.push(a);
        else byNode.set(a.node, [a]);
        continue;
      }
      const s = shownState(a, at).toLowerCase();
      const fields: Record<string, string> = { node: a.node.toLowerCase(), instance: a.id.toLowerCase(), state: s, machine: a.machine.toLowerCase() };
      const ok = words.every((w) => {
        const eq = w.indexOf('=');
        if (eq > 0) return fields[w.slice(0, eq)] === undefined || fields[w.slice(0, eq)] === w.slice(eq + 1);
        return Object.values(fields).some((f) => f.includes(w));
      });
      if (!ok) continue;
      const list = byNode.get(a.node) ?? [];
      list.push(a);
      byNode.set(a.node, list);
    }
    for (const [node, list] of byNode) {
      if (node !== lastNode) rows.push({ node });
      lastNode = node;
      for (const a of list) rows.push({ actor: a });
    }
    const box = $('actors');
    box.style.height = `${rows.length * ACTOR_H}px`;
    const offset = geometry.actorsOffset;
    const first = Math.max(0, Math.floor((geometry.asideTop - offset) / ACTOR_H) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((geometry.asideTop - offset + geometry.asideH) / ACTOR_H) + OVERSCAN);
    const html: string[] = [];
    for (let i = first; i < last; i++) {
      const row = rows[i]!;
      const y = i * ACTOR_H;
      if ('node' in row) {
        const down = model.downAt(row.node, at);
        html.push(`<li class="node" style="top:${y}px"><span class="node-name">${esc(row.node)}</span>${down ? ` <span class="state s-${bandName(down)}" title="${esc(bandText(row.node, down))}">${bandName(down)}</span>` : ''}</li>`);
        continue;
      }
      const a = row.actor;
      const s = shownState(a, at);
      const prio = typeof a.info['effectivePriority'] === 'number' ? ` <span class="prio">prio ${a.info['effectivePriority']}</span>` : '';
      html.push(
        `<li class="actor${selected.has(a.actor) ? ' selected' : ''}" style="top:${y}px" data-actor="${esc(a.actor)}" title="${esc(a.id)}"><span class="name">${esc(a.id.slice(a.id.lastIndexOf('/') + 1))}</span> <span class="machine">${esc(a.machine)}</span>${prio} <span class="state s-${esc(s)}">${esc(s)}</span></li>`,
      );
    }
    patch(box, html);
  };

  const renderCharts = (actors: Map<string, Actor>, at: number): void => {
    if (!selectionTouched) {
      selected.clear();
      // A site of hundreds of actors starts with a few charts (pick others in the list).
      const max = boot.maxCharts ?? (actors.size > 100 ? 4 : 12);
      for (const a of actors.values()) if (selected.size < max) selected.add(a.actor);
    }
    for (const [key, card] of cards) {
      if (!actors.has(key) || !selected.has(key)) {
        card.el.remove();
        cards.delete(key);
      }
    }
    for (const a of actors.values()) {
      if (!selected.has(a.actor)) continue;
      ensureCard(a);
      const card = cards.get(a.actor)!;
      const down = model.downAt(a.node, at);
      const active = down ? new Set<string>() : activeSet(a.state);
      for (const b of card.boxes) b.classList.toggle('active', active.has(b.dataset['state'] ?? ''));
      // A collapsed box (a thumbnail's) names its active inner states.
      for (const slot of card.slots) {
        const path = slot.dataset['slot'] ?? '';
        const inner = down ? [] : a.state.filter((p) => p.startsWith(`${path}.`)).map((p) => p.slice(p.lastIndexOf('.') + 1));
        const text = inner.join(' · ');
        if (slot.textContent !== text) slot.textContent = text;
      }
      // The transition that fired (the last change) and those before it, newest last.
      const marks = new Map<Element, string>();
      if (!down) a.trail.forEach((c, i) => {
        for (const el of firedBy(c, card)) marks.set(el, i === a.trail.length - 1 ? 'fired' : 'trail');
      });
      for (const el of [...card.edges, ...card.loops]) {
        const mark = marks.get(el);
        el.classList.toggle('fired', mark === 'fired');
        el.classList.toggle('trail', mark === 'trail');
      }
      const s = shownState(a, at);
      const badge = card.el.querySelector('.state') as HTMLElement;
      if (badge.textContent !== s) {
        badge.textContent = s;
        badge.className = `state s-${s}`;
      }
      const info = Object.entries(a.info)
        .map(([k, v]) => `${k} ${v === null ? '-' : String(v)}`)
        .join(' · ');
      const text = down
        ? `${down.cause === 'unreachable' ? `${a.node} not reachable from the site, state unknown,` : `process of ${a.node} down (${down.cause})`} since ${seconds(down.from)}; last state ${a.state.join(', ')}`
        : `${a.state.join(', ')} since ${seconds(a.since)}${info ? ` · ${info}` : ''}`;
      const infoEl = card.el.querySelector('.info') as HTMLElement;
      if (infoEl.textContent !== text) infoEl.textContent = text;
    }
  };

  const renderLog = (): void => {
    const out: string[] = [];
    for (let i = cursor - 1; i >= 0 && out.length < 40; i--) {
      const e = events[i]![1];
      if (e.kind === 'machine') continue;
      const milestone = e.kind === 'fault' || e.kind === 'process' || (e.kind === 'bus' && e.message.kind === 'transition');
      out.push(`<li class="${milestone ? 'milestone' : ''}"><span class="t">${seconds(e.at)}</span> ${esc(describe(e))}</li>`);
    }
    $('events').innerHTML = out.join('');
  };

  // ---- a site's peers (`vigil site`), in the header: state, and how far each host's clock is from the site's ----
  let site = boot.site;
  const signed = (n: number): string => `${n < 0 ? '−' : '+'}${Math.abs(n).toFixed(1)}`;
  const renderPeers = (): void => {
    if (!site) return;
    $('peers').innerHTML = site.peers
      .map((p) => {
        const name = p.name ?? p.url;
        const attrs = `class="peer p-${p.state}" data-peer="${esc(name)}" data-state="${p.state}"`;
        if (p.state !== 'live') {
          // A site's clock is a wall clock (vigil site): since when, as a time of day.
          const when = p.since > 1e12 ? ` since ${new Date(p.since).toLocaleTimeString()}` : '';
          const why = p.state === 'unreachable' ? `unreachable${when}${p.error ? ` (${p.error})` : ''}` : 'connecting';
          return `<span ${attrs} title="${esc(p.url)}">${esc(name)} ✕ ${esc(why)}</span>`;
        }
        const within = p.rttMs === undefined ? '' : ` ±${(p.rttMs / 2).toFixed(1)}`;
        const shown = p.wallOffsetMs !== undefined ? `clock ${signed(p.wallOffsetMs)}${within} ms` : p.offsetMs !== undefined ? `offset ${signed(p.offsetMs)}${within} ms` : '';
        const title = [
          p.url,
          p.wallOffsetMs === undefined ? '' : `its wall clock is ${signed(p.wallOffsetMs)} ms from the site's`,
          p.offsetMs === undefined ? '' : `its records' times (its monotonic clock) are moved by ${signed(-p.offsetMs)} ms onto the site's, to within ${((p.rttMs ?? 0) / 2).toFixed(1)} ms`,
          `${p.records} records${p.late > 0 ? `, ${p.late} late (after a reconnection)` : ''}`,
        ].filter((x) => x !== '').join('\n');
        return `<span ${attrs} data-offset="${p.offsetMs ?? ''}" title="${esc(title)}">${esc(name)} ● ${shown}</span>`;
      })
      .join('');
  };

  // ---- the VIP holder of every VRID across the nodes, at the cursor: the site at a glance ----
  let holdersKey = '';
  const renderHolders = (at: number): void => {
    const key = `${model.version()}|${at}`;
    if (key === holdersKey) return;
    holdersKey = key;
    const vrids = new Map<string, { vrid: number; label: string; masters: string[]; holders: string[] }>();
    for (const lane of model.lanes) {
      if (lane.vrid === undefined) continue;
      const k = `${lane.iface ?? ''}:${lane.vrid}`;
      let v = vrids.get(k);
      if (!v) {
        v = { vrid: lane.vrid, label: `VRID ${lane.vrid}${lane.iface ? ` ${lane.iface}` : ''}`, masters: [], holders: [] };
        vrids.set(k, v);
      }
      if (model.stateAt(lane, at) === 'MASTER') v.masters.push(lane.node);
      if (lane.vips.some((p) => p.from <= at && (p.to === undefined || at < p.to))) v.holders.push(lane.node);
    }
    const all = [...vrids.values()].sort((a, b) => a.vrid - b.vrid);
    const odd = (v: { masters: string[]; holders: string[] }): boolean => v.masters.length !== 1 || v.holders.length !== 1 || v.masters[0] !== v.holders[0];
    const span = (v: (typeof all)[number]): string => {
      const who = v.holders.length > 0 ? v.holders.join(', ') : 'no holder';
      const masters = odd(v) ? ` (master${v.masters.length === 1 ? '' : 's'}: ${v.masters.join(', ') || 'none'})` : '';
      return `<span class="vrid${odd(v) ? ' odd' : ''}" data-vrid="${v.vrid}" data-masters="${esc(v.masters.join(','))}" data-holders="${esc(v.holders.join(','))}">${esc(`${v.label}: ${who}${masters}`)}</span>`;
    };
    const shown = all.length <= 12 ? all : all.filter(odd).slice(0, 12);
    const summary = all.length <= 12 ? '' : `<span class="n">${all.length} VRIDs, ${all.filter((v) => !odd(v)).length} with one master holding the addresses</span>`;
    $('holders').innerHTML = all.length === 0 ? '' : `<b>VIPs</b> ${summary}${shown.map(span).join('')}`;
  };

  let scheduled = false;
  const render = (): void => {
    scheduled = false;
    measure();
    feedModel();
    const { actors, at } = fold(cursor);
    const scrubber = $('scrubber') as HTMLInputElement;
    scrubber.max = String(events.length);
    scrubber.value = String(cursor);
    const current = cursor > 0 ? events[cursor - 1]![1] : undefined;
    const wall = timeOfDay(at);
    $('position').textContent = `record ${cursor} of ${events.length} · t = ${seconds(at)}${wall ? ` (${wall})` : ''}${current ? ` · ${describe(current)}` : ''}`;
    $('mode').textContent = boot.live ? (following ? '● live' : '❚❚ history') : 'recorded';
    $('mode').className = boot.live && following ? 'live' : 'past';
    renderActors(actors, at);
    renderCharts(actors, at);
    renderHead();
    renderLanes();
    renderHolders(cursorMs());
    renderLog();
    document.body.dataset['cursor'] = String(cursor);
    document.body.dataset['records'] = String(events.length);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  };
  /** Keeps the cursor in sight when the view is zoomed in. */
  const follow = (): void => {
    if (!view) return;
    const c = cursorMs();
    const span = view.to - view.from;
    if (c < view.from || c > view.to) setView(c - span / 2, c + span / 2);
  };
  const moveTo = (position: number): void => {
    cursor = Math.max(0, Math.min(events.length, position));
    following = cursor === events.length;
    follow();
    render();
  };

  const setView = (from: number, to: number): void => {
    const all = { from: startMs, to: lastMs() };
    const span = Math.min(Math.max(to - from, 1), all.to - all.from);
    if (span >= all.to - all.from) {
      view = undefined;
      return;
    }
    const f = Math.min(Math.max(from, all.from), all.to - span);
    view = { from: f, to: f + span };
  };
  const zoom = (factor: number, aroundMs?: number): void => {
    const v = currentView();
    const around = aroundMs ?? (cursor < events.length ? cursorMs() : (v.from + v.to) / 2);
    setView(around - (around - v.from) * factor, around + (v.to - around) * factor);
    render();
  };
  const timeAtX = (clientX: number): number => {
    const v = currentView();
    const rect = $('tl-body').getBoundingClientRect();
    return v.from + ((clientX - rect.left - LABEL_W) / plotWidth()) * (v.to - v.from);
  };

  /** The next (dir 1) or previous (-1) transition, DOWN or fault among the lanes the filter keeps. */
  const jump = (dir: 1 | -1): void => {
    const keys = new Set(laneRows().matching.map((l) => l.key));
    const nodes = new Set(laneRows().matching.map((l) => l.node));
    const milestone = (e: ObservedEvent): boolean =>
      e.kind === 'fault' ||
      (e.kind === 'process' && nodes.has(e.node)) ||
      (e.kind === 'bus' && e.message.kind === 'transition' && keys.has(`${e.message.node} ${e.message.instance}`)) ||
      (e.kind === 'bus' && e.message.kind === 'bfd' && keys.has(`${e.message.node} bfd:${e.message.session}`));
    if (dir > 0) {
      let i = cursor + 1;
      while (i < events.length && !milestone(events[i - 1]![1])) i++;
      moveTo(i);
    } else {
      let i = cursor - 1;
      while (i > 0 && !milestone(events[i - 1]![1])) i--;
      moveTo(i);
    }
  };

  // Playback at a chosen speed (recorded time per second of wall time).
  const play = (): void => {
    if (!playing) return;
    const speed = Number(($('speed') as HTMLSelectElement).value) || 1;
    const t = playing.fromMs + ((performance.now() - playing.wallStart) / 1000) * speed;
    const target = recordAt(t);
    if (target !== cursor) moveTo(target);
    if (cursor >= events.length) {
      stopPlaying();
      return;
    }
    requestAnimationFrame(play);
  };
  const stopPlaying = (): void => {
    playing = undefined;
    $('play').textContent = '▶ Play';
  };

  $('title').textContent = boot.title;
  renderPeers();
  document.title = `vigil — ${boot.title}`;
  $('scrubber').addEventListener('input', (ev) => moveTo(Number((ev.target as HTMLInputElement).value)));
  $('first').addEventListener('click', () => moveTo(0));
  $('live').addEventListener('click', () => moveTo(events.length));
  $('prev').addEventListener('click', () => jump(-1));
  $('next').addEventListener('click', () => jump(1));
  $('play').addEventListener('click', () => {
    if (playing) return stopPlaying();
    if (cursor >= events.length) moveTo(0);
    playing = { wallStart: performance.now(), fromMs: cursorMs() };
    $('play').textContent = '❚❚ Pause';
    requestAnimationFrame(play);
  });
  $('speed').addEventListener('change', () => {
    if (playing) playing = { wallStart: performance.now(), fromMs: cursorMs() };
  });
  const clockBox = $('clock-time') as HTMLInputElement;
  clockBox.parentElement!.hidden = wallZero === undefined;
  clockBox.checked = clockTime;
  clockBox.addEventListener('change', () => {
    clockTime = clockBox.checked;
    render();
  });
  $('zoom-in').addEventListener('click', () => zoom(0.5));
  $('zoom-out').addEventListener('click', () => zoom(2));
  $('zoom-all').addEventListener('click', () => {
    view = undefined;
    render();
  });
  $('filter').addEventListener('input', (ev) => {
    filter = (ev.target as HTMLInputElement).value;
    $('tl-body').scrollTop = 0;
    render();
  });
  $('group-by').addEventListener('change', (ev) => {
    groupBy = (ev.target as HTMLSelectElement).value as LaneGrouping;
    collapsed.clear();
    $('tl-body').scrollTop = 0;
    render();
  });
  $('changed').addEventListener('change', (ev) => {
    changedOnly = (ev.target as HTMLInputElement).checked;
    render();
  });
  $('collapse-all').addEventListener('click', () => {
    for (const r of laneRows().rows) if (r.kind === 'group') collapsed.add(r.key);
    render();
  });
  $('expand-all').addEventListener('click', () => {
    collapsed.clear();
    render();
  });
  $('tl-body').addEventListener('scroll', () => {
    measure();
    renderLanes();
  });
  $('actors').parentElement!.addEventListener('scroll', () => {
    measure();
    const { actors, at } = fold(cursor);
    renderActors(actors, at);
  });
  // Zoom: the wheel over the axis, or with Ctrl over the lanes (the plain wheel scrolls the lanes); drag pans.
  const onWheel = (ev: WheelEvent, always: boolean): void => {
    if (!always && !ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, timeAtX(ev.clientX));
  };
  $('tl-head').addEventListener('wheel', (ev) => onWheel(ev, true), { passive: false });
  $('tl-body').addEventListener('wheel', (ev) => onWheel(ev, false), { passive: false });
  let drag: { x: number; view: { from: number; to: number }; moved: boolean } | undefined;
  $('tl-body').addEventListener('mousedown', (ev) => {
    if ((ev.target as HTMLElement).closest('.lane-svg')) drag = { x: ev.clientX, view: currentView(), moved: false };
  });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    const shift = (dx / plotWidth()) * (drag.view.to - drag.view.from);
    setView(drag.view.from - shift, drag.view.to - shift);
    schedule();
  });
  window.addEventListener('mouseup', () => {
    setTimeout(() => (drag = undefined), 0);
  });
  $('tl-rows').addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const group = target.closest('.row.group') as HTMLElement | null;
    if (group?.dataset['group']) {
      const key = group.dataset['group'];
      if (collapsed.has(key)) collapsed.delete(key);
      else collapsed.add(key);
      render();
      return;
    }
    const lane = target.closest('.row.lane') as HTMLElement | null;
    if (!lane) return;
    if (target.closest('.lane-label') && Number(lane.dataset['count']) > 1) {
      const key = lane.dataset['lane']!;
      if (expanded.has(key)) expanded.delete(key);
      else expanded.add(key);
      render();
      return;
    }
    // A click on a lane (not the end of a drag) puts the cursor at that time.
    if (target.closest('.lane-svg') && !drag?.moved) moveTo(recordAt(timeAtX((ev as MouseEvent).clientX)));
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement | null;
    // Keys typed into the filter box or a menu are theirs.
    if (t && (t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && ['text', 'search'].includes((t as HTMLInputElement).type)))) return;
    if (ev.key === 'ArrowLeft') moveTo(cursor - 1);
    else if (ev.key === 'ArrowRight') moveTo(cursor + 1);
    else if (ev.key === 'n' || ev.key === 'PageDown') jump(1);
    else if (ev.key === 'p' || ev.key === 'PageUp') jump(-1);
    else if (ev.key === '+' || ev.key === '=') zoom(0.5);
    else if (ev.key === '-') zoom(2);
    else if (ev.key === '0') {
      view = undefined;
      render();
    } else if (ev.key === '[' || ev.key === ']') {
      const v = currentView();
      const shift = ((v.to - v.from) / 4) * (ev.key === '[' ? -1 : 1);
      setView(v.from + shift, v.to + shift);
      render();
    } else return;
    if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') ev.preventDefault();
  });
  $('actors').addEventListener('click', (ev) => {
    const li = (ev.target as HTMLElement).closest('li.actor') as HTMLElement | null;
    const key = li?.dataset['actor'];
    if (!key) return;
    selectionTouched = true;
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    render();
  });
  window.addEventListener('resize', () => schedule());

  if (boot.live && boot.eventsUrl) {
    const source = new EventSource(`${boot.eventsUrl}?from=${lastSeq + 1}`);
    source.addEventListener('record', (ev) => {
      const [seq, e] = JSON.parse((ev as MessageEvent<string>).data) as [number, ObservedEvent];
      if (seq <= lastSeq) return;
      lastSeq = seq;
      events.push([seq, e]);
      endMs = Math.max(endMs, e.at);
      if (following) cursor = events.length;
      if (e.kind === 'machine' && !thumbs[e.graph.id] && boot.machineUrl) {
        void fetch(`${boot.machineUrl}${encodeURIComponent(e.graph.id)}.thumb.svg`)
          .then((r) => (r.ok ? r.text() : ''))
          .then((text) => {
            if (text) thumbs[e.graph.id] = text;
            schedule();
          });
      }
      if (e.kind === 'machine' && !svgs[e.graph.id] && boot.machineUrl) {
        void fetch(`${boot.machineUrl}${encodeURIComponent(e.graph.id)}.svg`)
          .then((r) => (r.ok ? r.text() : ''))
          .then((text) => {
            if (text) svgs[e.graph.id] = text;
            schedule();
          });
      }
      schedule();
    });
    source.addEventListener('tick', (ev) => {
      endMs = Math.max(endMs, Number((ev as MessageEvent<string>).data));
      schedule();
    });
    source.addEventListener('site', (ev) => {
      site = JSON.parse((ev as MessageEvent<string>).data) as SiteSnapshot;
      renderPeers();
    });
    source.addEventListener('open', () => document.body.classList.add('connected'));
    source.addEventListener('error', () => document.body.classList.remove('connected'));
  }
  render();
}
