/**
 * A machine graph as Mermaid `stateDiagram-v2` text: nested states as composite states, the regions of a
 * parallel state separated by `--`, `[*]` for initial states, transitions labelled like the SVG's. Mermaid ids
 * are the dotted paths with `_` (state keys alone need not be unique); the shown name is the state's key.
 */
import type { GraphState, MachineGraph } from './machine-graph.js';

export function mermaidId(path: string): string {
  return path.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Mermaid reads `:` and `;` in a label as syntax; `#` starts an entity code. */
function labelText(label: string): string {
  return label.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

function declare(state: GraphState, indent: string, out: string[]): void {
  const id = mermaidId(state.path);
  if (state.children.length === 0) {
    out.push(id === state.key ? `${indent}${id}` : `${indent}state "${state.key}" as ${id}`);
    return;
  }
  out.push(id === state.key ? `${indent}state ${id} {` : `${indent}state "${state.key}" as ${id} {`);
  body(state, `${indent}  `, out);
  out.push(`${indent}}`);
}

function body(state: GraphState, indent: string, out: string[]): void {
  if (state.type === 'parallel') {
    state.children.forEach((region, i) => {
      if (i > 0) out.push(`${indent}--`);
      declare(region, indent, out);
    });
    return;
  }
  const initial = state.initial ?? (state.path === '' ? state.children[0]?.path : undefined);
  if (initial !== undefined) out.push(`${indent}[*] --> ${mermaidId(initial)}`);
  for (const child of state.children) declare(child, indent, out);
}

export function statechartMermaid(graph: MachineGraph): string {
  const out = ['stateDiagram-v2', `  %% ${graph.id}: drawn by vigil viz`];
  body(graph.root, '  ', out);
  for (const t of graph.transitions) {
    const label = labelText(t.label);
    out.push(`  ${mermaidId(t.source)} --> ${mermaidId(t.target)}${label ? ` : ${label}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
