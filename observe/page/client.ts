/**
 * The page's code in the browser. Injected into the HTML with Function.prototype.toString (with timelineSvg), so
 * it must stay self-contained: no imports other than timelineSvg, no outside names. It folds the numbered
 * inspection records up to the scrubber's position into the state of every actor, lights the active states in
 * each statechart, draws the timeline with a cursor, and (live) follows /events over server-sent events.
 */
import type { ObservedEvent } from '../observed-event.js';
import { timelineSvg } from './timeline-svg.js';

export interface PageBoot {
  readonly title: string;
  /** Follow the server's /events stream. */
  readonly live: boolean;
  readonly eventsUrl?: string | undefined;
  /** Where to fetch the SVG of a machine first seen after the page loaded (id appended, then ".svg"). */
  readonly machineUrl?: string | undefined;
  readonly svgs: Readonly<Record<string, string>>;
  readonly events: readonly (readonly [number, ObservedEvent])[];
  readonly startMs?: number | undefined;
  readonly endMs?: number | undefined;
  /** Statecharts shown at first when there are many actors. */
  readonly maxCharts?: number | undefined;
}

export function vigilPage(boot: PageBoot): void {
  type Actor = {
    actor: string;
    node: string;
    id: string;
    machine: string;
    state: string[];
    previous: string[];
    /** The event of the last change of state. */
    event: string;
    info: Record<string, unknown>;
    since: number;
  };
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const events: (readonly [number, ObservedEvent])[] = [...boot.events];
  const svgs: Record<string, string> = { ...boot.svgs };
  let lastSeq = events.length > 0 ? events[events.length - 1]![0] : -1;
  let cursor = events.length;
  let following = true;
  let endMs = boot.endMs ?? 0;
  const startMs = boot.startMs ?? (events.length > 0 ? events[0]![1].at : 0);
  const selected = new Set<string>();
  let selectionTouched = false;
  const cards = new Map<string, { el: HTMLElement; boxes: SVGGElement[]; edges: SVGGElement[]; machine: string }>();

  const seconds = (ms: number): string => `${((ms - startMs) / 1000).toFixed(3)} s`;
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
      case 'bus': {
        const m = e.message;
        if (m.kind === 'transition') return `${m.node}/${m.instance}: ${m.from} → ${m.to} (priority ${m.priority})`;
        if (m.kind === 'vip') return `${m.node}/${m.instance}: ${m.action === 'add' ? 'adds' : 'removes'} ${m.address}`;
        if (m.kind === 'warning') return `${m.node}${m.instance ? `/${m.instance}` : ''}: ${m.message}`;
        if (m.kind === 'sync') return `${m.node} sync group ${m.group}: ${m.from} → ${m.to}`;
        return `${m.kind}`;
      }
    }
  };
  const isMilestone = (e: ObservedEvent): boolean => e.kind === 'fault' || (e.kind === 'bus' && e.message.kind === 'transition');

  // The fold up to the cursor is kept: following the live end (or stepping forward) only folds the new records.
  let folded: { upto: number; actors: Map<string, Actor>; at: number } = { upto: 0, actors: new Map(), at: startMs };
  const fold = (upto: number): { actors: Map<string, Actor>; at: number } => {
    if (upto < folded.upto) folded = { upto: 0, actors: new Map(), at: startMs };
    const actors = folded.actors;
    let at = folded.at;
    for (let i = folded.upto; i < upto; i++) {
      const e = events[i]![1];
      at = Math.max(at, e.at);
      if (e.kind === 'actor') {
        actors.set(e.actor, { actor: e.actor, node: e.node, id: e.id, machine: e.machine, state: [], previous: [], event: '', info: {}, since: e.at });
      } else if (e.kind === 'step') {
        const a = actors.get(e.actor);
        if (!a) continue;
        if (e.changed) {
          a.previous = a.state;
          a.event = e.event;
          a.state = [...e.state];
          a.since = e.at;
        }
        if (e.info) a.info = { ...e.info };
      }
    }
    folded = { upto, actors, at };
    return folded;
  };

  // The timeline's lanes come from every record (the cursor only draws a line): collected once, as records come.
  const lanes = {
    seen: 0,
    transitions: [] as { t_ms: number; node: string; instance: string; from: string; to: string }[],
    vips: [] as { t_ms: number; node: string; instance: string; address: string; action: string }[],
    faults: [] as { t_ms: number; text: string }[],
  };
  const timelineData = (): Parameters<typeof timelineSvg>[0] => {
    for (; lanes.seen < events.length; lanes.seen++) {
      const e = events[lanes.seen]![1];
      if (e.kind === 'fault') lanes.faults.push({ t_ms: e.at - startMs, text: e.text });
      if (e.kind !== 'bus') continue;
      const m = e.message;
      if (m.kind === 'transition') lanes.transitions.push({ t_ms: m.at - startMs, node: m.node, instance: m.instance, from: m.from, to: m.to });
      if (m.kind === 'vip') lanes.vips.push({ t_ms: m.at - startMs, node: m.node, instance: m.instance, address: m.address, action: m.action });
    }
    const { transitions, vips, faults } = lanes;
    const last = events.length > 0 ? events[events.length - 1]![1].at : startMs;
    const end = Math.max(endMs, last) - startMs;
    const cursorAt = cursor > 0 ? events[cursor - 1]![1].at - startMs : 0;
    const width = Math.max(600, Math.min(1400, ($('timeline').clientWidth || 1000) - 4));
    return { transitions, vips, faults, startMs: 0, endMs: end, cursorMs: cursor < events.length ? cursorAt : undefined, width };
  };

  const ensureCard = (a: Actor): void => {
    const existing = cards.get(a.actor);
    if (existing && existing.machine === a.machine) return;
    existing?.el.remove();
    const el = document.createElement('div');
    el.className = 'card';
    el.dataset['actor'] = a.actor;
    el.innerHTML = `<div class="card-head"><span class="card-name"></span><span class="state"></span></div><div class="info"></div><div class="chart"></div>`;
    (el.querySelector('.card-name') as HTMLElement).textContent = `${a.node} / ${a.id}  (${a.machine})`;
    const chart = el.querySelector('.chart') as HTMLElement;
    chart.innerHTML = svgs[a.machine] ?? `<p class="missing">no drawing of machine ${a.machine}</p>`;
    // Small charts keep their size; large ones share the row until clicked (then they take it whole).
    const natural = Number(chart.querySelector('svg')?.getAttribute('width') ?? 400);
    el.style.flexBasis = `${Math.min(natural + 24, 420)}px`;
    el.style.maxWidth = `${natural + 24}px`;
    chart.addEventListener('click', () => el.classList.toggle('wide'));
    $('charts').appendChild(el);
    cards.set(a.actor, {
      el,
      machine: a.machine,
      boxes: [...el.querySelectorAll<SVGGElement>('g.box[data-state]')],
      edges: [...el.querySelectorAll<SVGGElement>('g.edge[data-source]')],
    });
  };

  const renderActors = (actors: Map<string, Actor>): void => {
    const byNode = new Map<string, Actor[]>();
    for (const a of actors.values()) {
      const list = byNode.get(a.node) ?? [];
      list.push(a);
      byNode.set(a.node, list);
    }
    const html: string[] = [];
    const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    for (const [node, list] of byNode) {
      html.push(`<li class="node"><span class="node-name">${esc(node)}</span><ul>`);
      for (const a of list) {
        const s = top(a.state);
        const prio = typeof a.info['effectivePriority'] === 'number' ? ` <span class="prio">prio ${a.info['effectivePriority']}</span>` : '';
        html.push(
          `<li class="actor${selected.has(a.actor) ? ' selected' : ''}" data-actor="${esc(a.actor)}" title="${esc(a.id)}"><span class="name">${esc(a.id.slice(a.id.lastIndexOf('/') + 1))}</span> <span class="machine">${esc(a.machine)}</span>${prio} <span class="state s-${esc(s)}">${esc(s)}</span></li>`,
        );
      }
      html.push('</ul></li>');
    }
    $('actors').innerHTML = html.join('');
  };

  const renderCharts = (actors: Map<string, Actor>): void => {
    if (!selectionTouched) {
      selected.clear();
      for (const a of actors.values()) if (selected.size < (boot.maxCharts ?? 12)) selected.add(a.actor);
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
      const active = activeSet(a.state);
      const before = activeSet(a.previous);
      for (const b of card.boxes) b.classList.toggle('active', active.has(b.dataset['state'] ?? ''));
      // The transition that fired: from a state left to a state entered, labelled with the event (a timer's
      // "after DELAY"), else an eventless one.
      const candidates = card.edges.filter(
        (e) => a.previous.length > 0 && before.has(e.dataset['source'] ?? '') && active.has(e.dataset['target'] ?? '') && !before.has(e.dataset['target'] ?? ''),
      );
      const delay = a.event.startsWith('xstate.after.') ? a.event.slice('xstate.after.'.length).split('.')[0] : undefined;
      const matches = (label: string): boolean =>
        delay !== undefined ? label === `after ${delay}` : label === a.event || label.startsWith(`${a.event} `);
      let fired = candidates.filter((e) => matches(e.dataset['event'] ?? ''));
      if (fired.length === 0) fired = candidates.filter((e) => e.classList.contains('always'));
      for (const e of card.edges) e.classList.toggle('fired', fired.includes(e));
      const s = top(a.state);
      const badge = card.el.querySelector('.state') as HTMLElement;
      badge.textContent = s;
      badge.className = `state s-${s}`;
      const info = Object.entries(a.info)
        .map(([k, v]) => `${k} ${v === null ? '-' : String(v)}`)
        .join(' · ');
      (card.el.querySelector('.info') as HTMLElement).textContent = `${a.state.join(', ')} since ${seconds(a.since)}${info ? ` · ${info}` : ''}`;
    }
  };

  const renderLog = (): void => {
    const out: string[] = [];
    const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (let i = cursor - 1; i >= 0 && out.length < 40; i--) {
      const e = events[i]![1];
      if (e.kind === 'machine') continue;
      out.push(`<li class="${isMilestone(e) ? 'milestone' : ''}"><span class="t">${seconds(e.at)}</span> ${esc(describe(e))}</li>`);
    }
    $('events').innerHTML = out.join('');
  };

  let scheduled = false;
  const render = (): void => {
    scheduled = false;
    const { actors, at } = fold(cursor);
    const scrubber = $('scrubber') as HTMLInputElement;
    scrubber.max = String(events.length);
    scrubber.value = String(cursor);
    const current = cursor > 0 ? events[cursor - 1]![1] : undefined;
    $('position').textContent = `record ${cursor} of ${events.length} · t = ${seconds(at)}${current ? ` · ${describe(current)}` : ''}`;
    $('mode').textContent = boot.live ? (following ? '● live' : '❚❚ history') : 'recorded';
    $('mode').className = boot.live && following ? 'live' : 'past';
    renderActors(actors);
    renderCharts(actors);
    $('timeline').innerHTML = timelineSvg(timelineData());
    renderLog();
    document.body.dataset['cursor'] = String(cursor);
    document.body.dataset['records'] = String(events.length);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  };
  const moveTo = (position: number): void => {
    cursor = Math.max(0, Math.min(events.length, position));
    following = cursor === events.length;
    render();
  };

  $('title').textContent = boot.title;
  document.title = `vigil — ${boot.title}`;
  $('scrubber').addEventListener('input', (ev) => moveTo(Number((ev.target as HTMLInputElement).value)));
  $('first').addEventListener('click', () => moveTo(0));
  $('live').addEventListener('click', () => moveTo(events.length));
  $('prev').addEventListener('click', () => {
    let i = cursor - 1;
    while (i > 0 && !isMilestone(events[i - 1]![1])) i--;
    moveTo(i);
  });
  $('next').addEventListener('click', () => {
    let i = cursor + 1;
    while (i < events.length && !isMilestone(events[i - 1]![1])) i++;
    moveTo(i);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowLeft') moveTo(cursor - 1);
    if (ev.key === 'ArrowRight') moveTo(cursor + 1);
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

  if (boot.live && boot.eventsUrl) {
    const source = new EventSource(`${boot.eventsUrl}?from=${lastSeq + 1}`);
    source.addEventListener('record', (ev) => {
      const [seq, e] = JSON.parse((ev as MessageEvent<string>).data) as [number, ObservedEvent];
      if (seq <= lastSeq) return;
      lastSeq = seq;
      events.push([seq, e]);
      endMs = Math.max(endMs, e.at);
      if (following) cursor = events.length;
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
    source.addEventListener('open', () => document.body.classList.add('connected'));
    source.addEventListener('error', () => document.body.classList.remove('connected'));
  }
  render();
}
