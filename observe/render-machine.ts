/** What `vigil viz` prints: a machine or an actor tree, as SVG or Mermaid text. */
import type { AnyStateMachine } from 'xstate';
import { diagramSvg } from './diagram-svg.js';
import { layoutDiagram } from './elk-layout.js';
import { machineGraph, type MachineGraph } from './machine-graph.js';
import { layoutStatechart } from './statechart-layout.js';
import { statechartMermaid } from './statechart-mermaid.js';
import { layoutThumbnail } from './statechart-thumbnail.js';
import { actorTreeMermaid, type ActorTree } from './actor-tree.js';

export type VizFormat = 'svg' | 'mermaid';

export async function renderGraph(graph: MachineGraph, format: VizFormat): Promise<string> {
  if (format === 'mermaid') return statechartMermaid(graph);
  return diagramSvg(await layoutStatechart(graph));
}

export function renderMachine(machine: AnyStateMachine, format: VizFormat): Promise<string> {
  return renderGraph(machineGraph(machine), format);
}

/** The thumbnail the page's cards show (observe/statechart-thumbnail.ts), as an SVG document. */
export async function renderThumbnail(machine: AnyStateMachine): Promise<string> {
  return diagramSvg(await layoutThumbnail(machineGraph(machine)), { className: 'vigil-thumb' });
}

export async function renderActorTree(tree: ActorTree, format: VizFormat): Promise<string> {
  if (format === 'mermaid') return actorTreeMermaid(tree);
  return diagramSvg(await layoutDiagram(tree.title, tree.nodes, tree.edges));
}
