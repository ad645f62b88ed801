/**
 * A laid-out diagram: boxes and edges with absolute coordinates, ready to draw. Produced by elk-layout.ts from a
 * statechart or an actor tree, drawn by diagram-svg.ts.
 */
export interface DiagramBox {
  readonly id: string;
  readonly label: string;
  /** How to draw it: atomic/compound/parallel/region/initial (statecharts), actor/group (actor trees). */
  readonly kind: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Nesting depth (0 for top-level boxes); parents are drawn before their children. */
  readonly depth: number;
  /** Extra attributes for the SVG element (data-state="…" lets the live page light the active state). */
  readonly data: Readonly<Record<string, string>>;
  readonly marks?: BoxMarks | undefined;
}

/**
 * What a statechart thumbnail draws inside a box besides its name: a mark for its self-loops (transitions that
 * stay in the box, folded: no arc), and a line where the page writes the active states hidden inside it.
 */
export interface BoxMarks {
  /** The events of the folded loops, one per line (the mark's tooltip); `on` their tokens, for the page. */
  readonly loop?: { readonly text: string; readonly on: string } | undefined;
  /** Characters reserved for the line of active inner states (the box is collapsed). */
  readonly slotChars?: number | undefined;
}

/** Room a loop mark takes at the right of a box's name. */
export const LOOP_MARK = 18;

/** Height of the line of active inner states: a line and a little, clear of the bold name above it. */
export const SLOT_LINE = 20;

export interface DiagramEdge {
  readonly id: string;
  readonly kind: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly label?: { readonly text: string; readonly x: number; readonly y: number; readonly width: number; readonly height: number } | undefined;
  readonly data: Readonly<Record<string, string>>;
  /** Its tooltip (a thumbnail's edge: the transitions it stands for, with their guards). */
  readonly tooltip?: string | undefined;
}

export interface Diagram {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly DiagramBox[];
  readonly edges: readonly DiagramEdge[];
}

/** Input of the layout: a tree of boxes and edges between any two of them. */
export interface LayoutNode {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  /** Fixed size (e.g. the initial-state dot); otherwise measured from the label or the children. */
  readonly size?: { readonly width: number; readonly height: number } | undefined;
  readonly children?: readonly LayoutNode[] | undefined;
  readonly data?: Readonly<Record<string, string>> | undefined;
  /** Direction of this node's children (ELK `elk.direction`), when not the default. */
  readonly direction?: 'DOWN' | 'RIGHT' | undefined;
  readonly marks?: BoxMarks | undefined;
}

export interface LayoutEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly label?: string | undefined;
  readonly kind: string;
  readonly data?: Readonly<Record<string, string>> | undefined;
  readonly tooltip?: string | undefined;
}

/** Character width and line height of the monospace font the SVG uses, for measuring labels. */
export const FONT = { size: 12, charWidth: 7.3, lineHeight: 16, titleSize: 13, titleCharWidth: 8.2 } as const;

export function labelWidth(text: string, title = false): number {
  return Math.ceil(text.length * (title ? FONT.titleCharWidth : FONT.charWidth));
}

/** Width and height of a label of one or more lines (`\n`). */
export function labelSize(text: string): { width: number; height: number } {
  const lines = text.split('\n');
  return { width: Math.max(...lines.map((l) => labelWidth(l))), height: lines.length * FONT.lineHeight };
}
