/**
 * Draws a laid-out diagram as a standalone SVG document (or an inline <svg> for the page): rounded boxes with
 * their names, nested boxes titled in a band at the top, regions dashed, edges as polylines with arrowheads and
 * their labels on a light background. Classes let the page's CSS light the active states.
 */
import { FONT, type Diagram, type DiagramBox, type DiagramEdge } from './diagram.js';
import { escapeXml } from './xml-escape.js';

export interface SvgOptions {
  /** Include the XML declaration (a file on its own); false for inlining in HTML. */
  readonly standalone?: boolean;
  /** Prefix of element ids, so several diagrams can share one page. */
  readonly idPrefix?: string;
}

const STYLE = `
.box rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1.2}
.box.compound>rect,.box.parallel>rect{fill:#ffffff}
.box.region>rect{fill:none;stroke-dasharray:5 3;stroke:#8c959f}
.box.initial>circle{fill:#24292f;stroke:none}
.box.group>rect{fill:#ffffff}
.box.actor>rect{fill:#f6f8fa}
.box text{font:bold ${FONT.titleSize}px monospace;fill:#24292f}
.box.region>text,.box text.detail{font-weight:normal;font-size:${FONT.size}px;fill:#57606a}
.box.active>rect{fill:#dafbe1;stroke:#1a7f37;stroke-width:2.5}
.box.active.region>rect,.box.active.compound>rect,.box.active.parallel>rect{fill:#f0fff4}
.edge path{fill:none;stroke:#57606a;stroke-width:1.2}
.edge.always path{stroke-dasharray:4 3}
.edge.after path{stroke:#8250df}
.edge text{font:${FONT.size}px monospace;fill:#24292f}
.edge rect{fill:#ffffff;fill-opacity:0.85;stroke:none}
.edge.fired path{stroke:#cf222e;stroke-width:2.5}
`;

function attrs(data: Readonly<Record<string, string>>): string {
  return Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeXml(v)}"`)
    .join('');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function drawBox(b: DiagramBox): string {
  const cls = `box ${b.kind}`;
  if (b.kind === 'initial') {
    const r = b.width / 2;
    return `<g class="${cls}"${attrs(b.data)}><circle cx="${round(b.x + r)}" cy="${round(b.y + r)}" r="${round(r)}"/></g>`;
  }
  const nested = b.kind === 'compound' || b.kind === 'parallel' || b.kind === 'region' || b.kind === 'group';
  const [name = '', ...details] = b.label.split('\n');
  const textX = nested ? b.x + 10 : b.x + b.width / 2;
  const textY = nested ? b.y + 18 : b.y + b.height / 2 + 4.5 - (details.length * FONT.lineHeight) / 2;
  const anchor = nested ? 'start' : 'middle';
  const radius = b.kind === 'region' ? 4 : 8;
  const more = details
    .map((d, i) => `<text class="detail" x="${round(textX)}" y="${round(textY + (i + 1) * FONT.lineHeight)}" text-anchor="${anchor}">${escapeXml(d)}</text>`)
    .join('');
  return (
    `<g class="${cls}"${attrs(b.data)}>` +
    `<rect x="${round(b.x)}" y="${round(b.y)}" width="${round(b.width)}" height="${round(b.height)}" rx="${radius}"/>` +
    `<text x="${round(textX)}" y="${round(textY)}" text-anchor="${anchor}">${escapeXml(name)}</text>${more}</g>`
  );
}

function drawEdge(e: DiagramEdge, marker: string): string {
  if (e.points.length < 2) return '';
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
  let label = '';
  if (e.label) {
    const l = e.label;
    label =
      `<rect x="${round(l.x - 2)}" y="${round(l.y)}" width="${round(l.width + 4)}" height="${round(l.height)}" rx="3"/>` +
      `<text x="${round(l.x)}" y="${round(l.y + l.height - 4)}">${escapeXml(l.text)}</text>`;
  }
  return `<g class="edge ${e.kind}"${attrs(e.data)}><path d="${d}" marker-end="url(#${marker})"/>${label}</g>`;
}

export function diagramSvg(diagram: Diagram, options: SvgOptions = {}): string {
  const prefix = options.idPrefix ?? 'vigil';
  const marker = `${prefix}-arrow`;
  const boxes = [...diagram.boxes].sort((a, b) => a.depth - b.depth);
  const parts = [
    options.standalone === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${diagram.width} ${diagram.height}" width="${diagram.width}" height="${diagram.height}" class="vigil-diagram" data-diagram="${escapeXml(diagram.title)}">`,
    `<title>${escapeXml(diagram.title)}</title>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>`,
    `<style>${STYLE}</style>`,
    ...boxes.map(drawBox),
    ...diagram.edges.map((e) => drawEdge(e, marker)),
    '</svg>\n',
  ];
  return parts.join('');
}
