/**
 * The statechart SVGs of each machine, drawn once and kept (ELK layout is the slow part): the full chart, and the
 * thumbnail the page's cards show (observe/statechart-thumbnail.ts).
 */
import { diagramSvg } from '../diagram-svg.js';
import type { MachineGraph } from '../machine-graph.js';
import { layoutStatechart } from '../statechart-layout.js';
import { layoutThumbnail } from '../statechart-thumbnail.js';

export class MachineSvgs {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly thumbs = new Map<string, Promise<string>>();

  svg(graph: MachineGraph): Promise<string> {
    let svg = this.cache.get(graph.id);
    if (!svg) {
      svg = layoutStatechart(graph).then((d) => diagramSvg(d, { standalone: false, idPrefix: `m-${graph.id}` }));
      this.cache.set(graph.id, svg);
    }
    return svg;
  }

  thumbnail(graph: MachineGraph): Promise<string> {
    let svg = this.thumbs.get(graph.id);
    if (!svg) {
      svg = layoutThumbnail(graph).then((d) => diagramSvg(d, { standalone: false, idPrefix: `t-${graph.id}`, className: 'vigil-thumb' }));
      this.thumbs.set(graph.id, svg);
    }
    return svg;
  }

  async all(graphs: Iterable<MachineGraph>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const g of graphs) out[g.id] = await this.svg(g);
    return out;
  }

  async allThumbnails(graphs: Iterable<MachineGraph>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const g of graphs) out[g.id] = await this.thumbnail(g);
    return out;
  }
}
