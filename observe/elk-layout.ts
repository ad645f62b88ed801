/**
 * Lays out a tree of boxes with edges using ELK's layered algorithm (elkjs): nested boxes stay nested, edges may
 * cross levels (hierarchy handling INCLUDE_CHILDREN), edge labels are placed by ELK. Coordinates come back
 * absolute (ELK's json.shapeCoords/edgeCoords ROOT), which is what the SVG needs.
 */
import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { FONT, LOOP_MARK, SLOT_LINE, labelSize, labelWidth, type Diagram, type DiagramBox, type DiagramEdge, type LayoutEdge, type LayoutNode } from './diagram.js';

// elk.bundled.js is CommonJS: its module.exports is the constructor, and also its own `default`.
const ElkConstructor = (ElkBundled as unknown as { default: new () => ElkApi }).default;
const elk = new ElkConstructor();

const PAD = 12;
const TITLE_BAND = 26;

function elkNode(node: LayoutNode): ElkNode {
  const children = node.children ?? [];
  const layoutOptions: Record<string, string> = {};
  if (node.direction) layoutOptions['elk.direction'] = node.direction;
  // A label may have several lines: the first is the name (bold), the others details.
  const [name = '', ...details] = node.label.split('\n');
  if (children.length > 0) {
    // The title band holds the name and the details under it.
    const band = TITLE_BAND + details.length * FONT.lineHeight;
    layoutOptions['elk.padding'] = `[top=${band + PAD},left=${PAD},bottom=${PAD},right=${PAD}]`;
    // The box must be wide enough for its own title.
    layoutOptions['elk.nodeSize.constraints'] = 'MINIMUM_SIZE';
    const width = Math.max(labelWidth(name, true) + (node.marks?.loop ? LOOP_MARK : 0), ...details.map((d) => labelWidth(d)));
    layoutOptions['elk.nodeSize.minimum'] = `(${width + 2 * PAD}, ${band + 2 * PAD})`;
    return { id: node.id, layoutOptions, children: children.map(elkNode) };
  }
  // A thumbnail's box: its loop mark beside the name, the line of its active inner states under it.
  const loop = node.marks?.loop ? LOOP_MARK : 0;
  const slot = node.marks?.slotChars;
  const slotWidth = slot === undefined ? 0 : Math.ceil(slot * FONT.charWidth) + 2 * PAD;
  const width = node.size?.width ?? Math.max(64, labelWidth(name, true) + 2 * PAD + 2 * loop, slotWidth, ...details.map((d) => labelWidth(d) + 2 * PAD));
  const height = node.size?.height ?? 34 + details.length * FONT.lineHeight + (slot === undefined ? 0 : SLOT_LINE);
  return { id: node.id, width, height, layoutOptions };
}

function elkEdge(edge: LayoutEdge): ElkExtendedEdge {
  const labels = edge.label ? [{ text: edge.label, ...labelSize(edge.label) }] : [];
  return { id: edge.id, sources: [edge.source], targets: [edge.target], labels };
}

export interface LayoutOptions {
  readonly direction?: 'DOWN' | 'RIGHT';
  /** Tighter spacing (a thumbnail): between layers, between nodes, between an edge and a node. */
  readonly spacing?: { readonly layers: number; readonly nodes: number; readonly edgeNode: number };
}

export async function layoutDiagram(
  title: string,
  roots: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = {},
): Promise<Diagram> {
  const graph: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': options.direction ?? 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(options.spacing?.layers ?? 40),
      'elk.spacing.nodeNode': String(options.spacing?.nodes ?? 28),
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeNode': String(options.spacing?.edgeNode ?? 16),
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: roots.map(elkNode),
    edges: edges.map(elkEdge),
  };
  const laid = await elk.layout(graph);

  const index = new Map<string, LayoutNode>();
  const walkInput = (n: LayoutNode): void => {
    index.set(n.id, n);
    for (const c of n.children ?? []) walkInput(c);
  };
  roots.forEach(walkInput);

  const boxes: DiagramBox[] = [];
  const walk = (n: ElkNode, depth: number): void => {
    const input = index.get(n.id);
    if (input) {
      boxes.push({
        id: n.id,
        label: input.label,
        kind: input.kind,
        x: n.x ?? 0,
        y: n.y ?? 0,
        width: n.width ?? 0,
        height: n.height ?? 0,
        depth,
        data: input.data ?? {},
        ...(input.marks ? { marks: input.marks } : {}),
      });
    }
    for (const c of n.children ?? []) walk(c, depth + 1);
  };
  for (const c of laid.children ?? []) walk(c, 0);

  const byId = new Map(edges.map((e) => [e.id, e]));
  const out: DiagramEdge[] = [];
  const collectEdges = (n: ElkNode): void => {
    for (const e of (n.edges ?? []) as ElkExtendedEdge[]) {
      const input = byId.get(e.id);
      if (!input) continue;
      const points: { x: number; y: number }[] = [];
      for (const s of e.sections ?? []) {
        points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
      }
      const l = e.labels?.[0];
      out.push({
        id: e.id,
        kind: input.kind,
        points,
        label: l && input.label ? { text: input.label, x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } : undefined,
        data: input.data ?? {},
        ...(input.tooltip ? { tooltip: input.tooltip } : {}),
      });
    }
    for (const c of n.children ?? []) collectEdges(c);
  };
  collectEdges(laid);
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { title, width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), boxes, edges: out };
}
