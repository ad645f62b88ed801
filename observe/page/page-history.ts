/**
 * What the page shows, kept on the server: the inspection stream's records that change the picture (machines,
 * actors, state changes, keepalived transitions, VIP changes, warnings, sync-group changes, BFD sessions' changes
 * of state, faults), numbered so
 * a page can ask for what it missed (`/events?from=N`). Bounded: past `maxEvents`, the older half is compacted to
 * the last record of each actor and instance, which is enough to draw the present and the recent past.
 */
import type { ObservedEvent } from '../observed-event.js';

export interface NumberedEvent {
  readonly seq: number;
  readonly event: ObservedEvent;
}

/** Whether a record belongs on the page (advertisements, drops and unchanged steps, one by one or summed up, do not). */
export function forPage(e: ObservedEvent): boolean {
  switch (e.kind) {
    case 'step':
      return e.changed || e.info !== undefined;
    case 'steady':
    case 'repeated':
      // Runs of unchanged steps and of advertisements, summed up: no more on the page than one of them.
      return false;
    case 'bus':
      return e.message.kind === 'transition' || e.message.kind === 'vip' || e.message.kind === 'warning' || e.message.kind === 'sync' || e.message.kind === 'bfd';
    default:
      return true;
  }
}

function entityOf(e: ObservedEvent): string | undefined {
  switch (e.kind) {
    case 'machine':
      return `machine:${e.graph.id}`;
    case 'actor':
      return `actor:${e.actor}`;
    case 'step':
      return `step:${e.actor}`;
    case 'bus':
      if (e.message.kind === 'transition') return `transition:${e.message.node}/${e.message.instance}`;
      if (e.message.kind === 'bfd') return `bfd:${e.message.node}/${e.message.session}`;
      return undefined;
    case 'process':
      // A node still down after compaction keeps its DOWN band.
      return `process:${e.node}`;
    default:
      return undefined;
  }
}

export class PageHistory {
  private events: NumberedEvent[] = [];
  private next = 0;
  private readonly listeners = new Set<(e: NumberedEvent) => void>();
  /** Latest time seen (records and ticks). */
  lastAt = 0;

  constructor(private readonly maxEvents = 50_000) {}

  add(e: ObservedEvent): void {
    this.lastAt = Math.max(this.lastAt, e.at);
    if (!forPage(e)) return;
    const numbered = { seq: this.next++, event: e };
    this.events.push(numbered);
    if (this.events.length > this.maxEvents) this.compact();
    for (const l of this.listeners) l(numbered);
  }

  /** Records with seq ≥ from, in order. */
  since(from = 0): readonly NumberedEvent[] {
    if (from <= 0) return this.events;
    return this.events.slice(this.indexOf(from));
  }

  /** At most `limit` records with seq ≥ from, in order (what follows is not copied). */
  range(from: number, limit: number): readonly NumberedEvent[] {
    const start = this.indexOf(from);
    return this.events.slice(start, start + limit);
  }

  /** Index of the first record with seq ≥ from. */
  private indexOf(from: number): number {
    // seq increases along the list; compaction leaves gaps but keeps the order.
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.seq < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get size(): number {
    return this.events.length;
  }

  subscribe(listener: (e: NumberedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private compact(): void {
    const cut = this.events.length - Math.floor(this.maxEvents / 2);
    const older = this.events.slice(0, cut);
    const keep = new Map<string, NumberedEvent>();
    for (const n of older) {
      const entity = entityOf(n.event);
      if (entity) keep.set(entity, n);
    }
    const kept = [...keep.values()].sort((a, b) => a.seq - b.seq);
    this.events = [...kept, ...this.events.slice(cut)];
  }
}
