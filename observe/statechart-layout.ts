/**
 * A machine graph as boxes for ELK: every state a box (compound and parallel states contain their children,
 * the regions of a parallel state are dashed boxes) naming under its name the actors it invokes, a dot with an
 * arrow marks each initial state, and every transition is a labelled edge. State boxes carry `data-state="PATH"` so the live page can light them.
 */
import type { Diagram, LayoutEdge, LayoutNode } from './diagram.js';
import { layoutDiagram } from './elk-layout.js';
import type { GraphState, MachineGraph } from './machine-graph.js';

export const INITIAL_DOT = 12;

export function stateBoxId(path: string): string {
  return `s:${path}`;
}

function initialId(parentPath: string): string {
  return `i:${parentPath}`;
}

/**
 * The state boxes of a machine below its root, nested, for both charts (this one and the thumbnail): `box` makes
 * a state's box and calls `children` where it draws the state's children; every level that is not a parallel
 * state's gets a dot with an arrow into its initial state. `edges` holds those arrows, and `edgeId` numbers the
 * edges the caller adds after them.
 */
export function stateBoxTree(
  graph: MachineGraph,
  box: (state: GraphState, parent: GraphState, children: () => LayoutNode[]) => LayoutNode,
): { nodes: LayoutNode[]; edges: LayoutEdge[]; edgeId: () => string } {
  const edges: LayoutEdge[] = [];
  let n = 0;
  const edgeId = (): string => `e${String(n++).padStart(4, '0')}`;
  const childrenOf = (state: GraphState): LayoutNode[] => {
    const nodes = state.children.map((c) => box(c, state, () => childrenOf(c)));
    const initial = state.type === 'parallel' ? undefined : (state.initial ?? (state.path === '' ? state.children[0]?.path : undefined));
    if (initial !== undefined) {
      nodes.unshift({ id: initialId(state.path), label: '', kind: 'initial', size: { width: INITIAL_DOT, height: INITIAL_DOT } });
      edges.push({ id: edgeId(), source: initialId(state.path), target: stateBoxId(initial), kind: 'initial' });
    }
    return nodes;
  };
  return { nodes: childrenOf(graph.root), edges, edgeId };
}

export function statechartLayoutInput(graph: MachineGraph): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const { nodes, edges, edgeId } = stateBoxTree(graph, (state, parent, children) => ({
    id: stateBoxId(state.path),
    label: [state.key, ...(state.invokes ?? []).map((src) => `invoke ${src}`)].join('\n'),
    kind: parent.type === 'parallel' ? 'region' : state.type,
    children: state.children.length > 0 ? children() : undefined,
    data: { state: state.path },
    // The regions of a parallel state side by side.
    direction: state.type === 'parallel' ? 'RIGHT' : undefined,
  }));
  for (const t of graph.transitions) {
    edges.push({
      id: edgeId(),
      source: stateBoxId(t.source),
      target: stateBoxId(t.target),
      label: t.label,
      kind: t.kind,
      data: { source: t.source, target: t.target, event: t.label },
    });
  }
  return { nodes, edges };
}

export function layoutStatechart(graph: MachineGraph): Promise<Diagram> {
  const { nodes, edges } = statechartLayoutInput(graph);
  return layoutDiagram(graph.id, nodes, edges);
}
