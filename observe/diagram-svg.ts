/**
 * Draws a laid-out diagram as a standalone SVG document (or an inline <svg> for the page): rounded boxes with
 * their names, nested boxes titled in a band at the top, regions dashed, edges as polylines with arrowheads and
 * their labels on a light background. Classes let the page's CSS light the active states.
 */
import { FONT, SLOT_LINE, type Diagram, type DiagramBox, type DiagramEdge } from './diagram.js';
import { escapeXml } from './xml-escape.js';

export interface SvgOptions {
  /** Include the XML declaration (a file on its own); false for inlining in HTML. */
  readonly standalone?: boolean;
  /** Prefix of element ids, so several diagrams can share one page. */
  readonly idPrefix?: string;
  /** Another class of the <svg> element besides vigil-diagram (vigil-thumb: a statechart's thumbnail). */
  readonly className?: string;
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
.box text.slot{font-weight:normal;font-size:${FONT.size}px;fill:#1a7f37}
.box.collapsed>rect{stroke-width:1.6}
.loop path{fill:none;stroke:#57606a;stroke-width:1.4}
.loop polygon{fill:#57606a}
.loop.fired path{stroke:#cf222e;stroke-width:2.2}.loop.fired polygon{fill:#cf222e}
.vigil-thumb .edge{opacity:.55}
.vigil-thumb .edge.fired,.vigil-thumb .edge.trail{opacity:1}
.edge.trail path{stroke:#e8868b;stroke-width:2;stroke-dasharray:none}
.edge.fired text{fill:#cf222e;font-weight:bold}
`;

function attrs(data: Readonly<Record<string, string>>): string {
  return Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeXml(v)}"`)
    .join('');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A circular arrow at (cx, cy): the folded self-loops of a box, their events in its tooltip. */
function loopMark(cx: number, cy: number, path: string, loop: { text: string; on: string }): string {
  const r = 5;
  const at = (deg: number): string => `${round(cx + r * Math.cos((deg * Math.PI) / 180))},${round(cy + r * Math.sin((deg * Math.PI) / 180))}`;
  // From the top right, clockwise round to the top left, the arrowhead there pointing on.
  const head = [`${round(cx - 5.5)},${round(cy - 7.5)}`, `${round(cx - 1)},${round(cy - 5)}`, `${round(cx - 6)},${round(cy - 1.5)}`].join(' ');
  return (
    `<g class="loop" data-state="${escapeXml(path)}" data-on="${escapeXml(loop.on)}"><title>${escapeXml(`stays in ${path}:\n${loop.text}`)}</title>` +
    `<path d="M${at(-60)} A${r},${r} 0 1 1 ${at(-120)}"/><polygon points="${head}"/></g>`
  );
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
  const slot = b.marks?.slotChars === undefined ? 0 : SLOT_LINE;
  const y0 = textY - slot / 2;
  const more = details
    .map((d, i) => `<text class="detail" x="${round(textX)}" y="${round(y0 + (i + 1) * FONT.lineHeight)}" text-anchor="${anchor}">${escapeXml(d)}</text>`)
    .join('');
  const state = b.data['state'] ?? '';
  const slotText = slot ? `<text class="slot" data-slot="${escapeXml(state)}" x="${round(textX)}" y="${round(y0 + details.length * FONT.lineHeight + slot)}" text-anchor="${anchor}"></text>` : '';
  const loop = b.marks?.loop ? loopMark(b.x + b.width - 12, nested ? b.y + 14 : y0 - 4, state, b.marks.loop) : '';
  return (
    `<g class="${cls}"${attrs(b.data)}>` +
    `<rect x="${round(b.x)}" y="${round(b.y)}" width="${round(b.width)}" height="${round(b.height)}" rx="${radius}"/>` +
    `<text x="${round(textX)}" y="${round(y0)}" text-anchor="${anchor}">${escapeXml(name)}</text>${more}${slotText}${loop}</g>`
  );
}

function drawEdge(e: DiagramEdge, marker: string): string {
  if (e.points.length < 2) return '';
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
  let label = '';
  if (e.label) {
    const l = e.label;
    // One text per line (a thumbnail's edge names each of its events on a line of its own).
    const lines = l.text.split('\n');
    label =
      `<rect x="${round(l.x - 2)}" y="${round(l.y)}" width="${round(l.width + 4)}" height="${round(l.height)}" rx="3"/>` +
      lines.map((line, i) => `<text x="${round(l.x)}" y="${round(l.y + (i + 1) * FONT.lineHeight - 4)}">${escapeXml(line)}</text>`).join('');
  }
  const tooltip = e.tooltip ? `<title>${escapeXml(e.tooltip)}</title>` : '';
  return `<g class="edge ${e.kind}"${attrs(e.data)}>${tooltip}<path d="${d}" marker-end="url(#${marker})"/>${label}</g>`;
}

export function diagramSvg(diagram: Diagram, options: SvgOptions = {}): string {
  const prefix = options.idPrefix ?? 'vigil';
  const marker = `${prefix}-arrow`;
  const boxes = [...diagram.boxes].sort((a, b) => a.depth - b.depth);
  const parts = [
    options.standalone === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${diagram.width} ${diagram.height}" width="${diagram.width}" height="${diagram.height}" class="vigil-diagram${options.className ? ` ${options.className}` : ''}" data-diagram="${escapeXml(diagram.title)}">`,
    `<title>${escapeXml(diagram.title)}</title>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>`,
    `<style>${STYLE}</style>`,
    ...boxes.map(drawBox),
    ...diagram.edges.map((e) => drawEdge(e, marker)),
    '</svg>\n',
  ];
  return parts.join('');
}
