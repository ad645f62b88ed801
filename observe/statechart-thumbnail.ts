/**
 * A statechart drawn to be read at the size of a card on the page (the full chart, statechart-layout.ts, comes
 * on click). Fewer things, each legible at the scale it is shown:
 *
 * - the states down to a depth; a state whose children are not drawn is collapsed into one box, with a line
 *   under its name where the page writes which of its inner states are active;
 * - transitions lifted to the boxes drawn, and all those between the same two boxes grouped into one edge whose
 *   label names each event once, a line each (guards are in the full chart; an eventless transition is named by
 *   its guard, a delayed one `after DELAY`);
 * - transitions that stay in their box (self-loops, and moves between the inner states of a collapsed box)
 *   folded into a mark on the box, its events in the mark's tooltip.
 *
 * The depth is the deepest whose layout fits the thumbnail's room (THUMBNAIL), so a small machine keeps every
 * state and the VRRP instance shows its five keepalived states. Edges and loops carry `data-on` (the event
 * tokens: `EVENT`, `after:DELAY`, `always`) so the page can mark the transition that fired.
 */
import type { Diagram, LayoutEdge, LayoutNode } from './diagram.js';
import { layoutDiagram } from './elk-layout.js';
import type { GraphState, GraphTransition, MachineGraph } from './machine-graph.js';
import { stateBoxId, stateBoxTree } from './statechart-layout.js';

/** The room of a thumbnail at scale 1 (the page shows it at 0.75 of this at the least: 12 px text ≥ 9 px). */
export const THUMBNAIL = { maxWidth: 560, maxHeight: 720 } as const;

/** Lines of an edge label before the rest is counted (`+2 more`). */
const MAX_LINES = 3;

/** The events of a transition as a reader says them, and as the page matches them. */
function eventOf(t: GraphTransition): { text: string; token: string } {
  if (t.kind === 'after') return { text: t.label, token: `after:${t.label.slice('after '.length)}` };
  if (t.kind === 'always') return { text: t.label || 'always', token: 'always' };
  const space = t.label.indexOf(' ');
  const event = space < 0 ? t.label : t.label.slice(0, space);
  return { text: event, token: event };
}

function depthOf(path: string): number {
  return path === '' ? 0 : path.split('.').length;
}

/** How deep the machine's states go (1: top-level states only). */
export function graphDepth(graph: MachineGraph): number {
  let deepest = 0;
  const walk = (s: GraphState): void => {
    deepest = Math.max(deepest, depthOf(s.path));
    s.children.forEach(walk);
  };
  walk(graph.root);
  return Math.max(1, deepest);
}

/** The longest line of active inner states a collapsed state can show ("waiting · idle" for BACKUP). */
function slotChars(state: GraphState): number {
  if (state.children.length === 0) return state.key.length;
  const inner = state.children.map(slotChars);
  if (state.type === 'parallel') return inner.reduce((a, b) => a + b, 0) + 3 * (inner.length - 1);
  return Math.max(...inner);
}

export interface ThumbnailGraph {
  readonly depth: number;
  /** One per pair of boxes: the events, each once, in the machine's order. */
  readonly edges: readonly {
    readonly source: string;
    readonly target: string;
    readonly kind: string;
    readonly events: readonly { text: string; token: string }[];
    /** The transitions it stands for, as the full chart labels them ("BACKUP.timer.waiting → MASTER: MASTER_DOWN"). */
    readonly transitions: readonly string[];
  }[];
  /** The folded loops of each box. */
  readonly loops: ReadonlyMap<string, readonly { text: string; token: string }[]>;
}

/** The machine's transitions lifted to the states drawn at `depth`, grouped per pair, loops folded. */
export function thumbnailGraph(graph: MachineGraph, depth: number): ThumbnailGraph {
  const lift = (path: string): string => path.split('.').slice(0, depth).join('.');
  const edges = new Map<string, { source: string; target: string; kinds: Set<string>; events: Map<string, { text: string; token: string }>; transitions: string[] }>();
  const loops = new Map<string, Map<string, { text: string; token: string }>>();
  for (const t of graph.transitions) {
    const source = lift(t.source);
    const target = lift(t.target);
    const e = eventOf(t);
    if (source === target) {
      const list = loops.get(source) ?? new Map<string, { text: string; token: string }>();
      list.set(e.text, e);
      loops.set(source, list);
      continue;
    }
    const key = `${source}\u0000${target}`;
    const edge = edges.get(key) ?? { source, target, kinds: new Set<string>(), events: new Map<string, { text: string; token: string }>(), transitions: [] };
    edge.kinds.add(t.kind);
    edge.transitions.push(`${t.source} → ${t.target}: ${t.label || 'always'}`);
    edge.events.set(e.text, e);
    edges.set(key, edge);
  }
  return {
    depth,
    // An edge of eventless transitions only is drawn dashed, of delayed ones only as a timer's; else as events.
    edges: [...edges.values()].map((e) => ({
      source: e.source,
      target: e.target,
      kind: e.kinds.size === 1 ? [...e.kinds][0]! : 'event',
      events: [...e.events.values()],
      transitions: e.transitions,
    })),
    loops: new Map([...loops].map(([k, v]) => [k, [...v.values()]])),
  };
}

function edgeLabel(events: readonly { text: string }[]): string {
  const lines = events.map((e) => e.text);
  if (lines.length <= MAX_LINES) return lines.join('\n');
  return [...lines.slice(0, MAX_LINES - 1), `+${lines.length - MAX_LINES + 1} more`].join('\n');
}

export function thumbnailLayoutInput(graph: MachineGraph, depth: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const thumb = thumbnailGraph(graph, depth);
  const { nodes, edges, edgeId } = stateBoxTree(graph, (state, parent, children) => {
    const collapsed = state.children.length > 0 && depthOf(state.path) >= depth;
    const loop = thumb.loops.get(state.path);
    return {
      id: stateBoxId(state.path),
      label: state.key,
      kind: collapsed ? 'collapsed' : parent.type === 'parallel' ? 'region' : state.type,
      children: state.children.length > 0 && !collapsed ? children() : undefined,
      data: { state: state.path },
      direction: state.type === 'parallel' && !collapsed ? 'RIGHT' : undefined,
      marks:
        loop || collapsed
          ? {
              loop: loop ? { text: loop.map((e) => e.text).join('\n'), on: loop.map((e) => e.token).join(' ') } : undefined,
              slotChars: collapsed ? slotChars(state) : undefined,
            }
          : undefined,
    };
  });
  for (const e of thumb.edges) {
    edges.push({
      id: edgeId(),
      source: stateBoxId(e.source),
      target: stateBoxId(e.target),
      label: edgeLabel(e.events),
      kind: e.kind,
      data: { source: e.source, target: e.target, event: e.events.map((x) => x.text).join(', '), on: e.events.map((x) => x.token).join(' ') },
      tooltip: e.transitions.join('\n'),
    });
  }
  return { nodes, edges };
}

/**
 * The thumbnail at the deepest depth that fits THUMBNAIL (the machine's own depth when it fits; the top-level
 * states otherwise, however large they come out). Depths are tried from the top down and the first that does not
 * fit ends the search (a deeper drawing is not narrower): ELK's layout is the cost, and a deep machine's full
 * depth is the dearest one.
 */
export async function layoutThumbnail(graph: MachineGraph): Promise<Diagram> {
  let fits: Diagram | undefined;
  for (let depth = 1; depth <= graphDepth(graph); depth++) {
    const { nodes, edges } = thumbnailLayoutInput(graph, depth);
    const laid = await layoutDiagram(graph.id, nodes, edges, { spacing: { layers: 30, nodes: 20, edgeNode: 10 } });
    if (laid.width > THUMBNAIL.maxWidth || laid.height > THUMBNAIL.maxHeight) return fits ?? laid;
    fits = laid;
  }
  return fits!;
}
