/**
 * keepalived's parameter substitution: `$NAME=value` definitions (a value ending in `\` continues on the next
 * lines), `$NAME` (followed by white space, `,`, `)` or the end) and `${NAME}` references, expanded recursively at
 * use time, and the predefined `${_PWD}`, `${_INSTANCE}`, `${_RANDOM [MIN [MAX]]}`, `${_HASH}`, `${_BANG}`.
 */

interface Definition {
  /** The value's lines; more than one line makes a multi-line definition. */
  lines: string[];
  multiline: boolean;
  /** Predefined names compute their value; `maxParams` > 0 allows `${NAME 1 2}`. */
  readonly compute?: ((params: number[]) => string) | undefined;
  readonly maxParams: number;
}

export interface Substitution {
  readonly text: string;
  /** Remaining lines of multi-line definitions met on the line, outermost first. */
  readonly pendingLines: string[][];
  /**
   * Set when expansion ran away: `cycle` (a definition met inside its own expansion; `cycle` names the chain),
   * `expansions` (more than MAX_EXPANSIONS substitutions on the line), `length` (the line passed its maximum
   * length), `work` (the work allowed was spent).
   */
  readonly overflow?: 'cycle' | 'expansions' | 'length' | 'work' | undefined;
  readonly cycle?: readonly string[] | undefined;
  /** Work done: the line's length, `stepCost` per `$` looked at, and the line's length after each substitution. */
  readonly work: number;
}

export interface SubstitutionLimits {
  /** Longest line a substitution may make. */
  readonly maxLength: number;
  /** Work allowed for this line (see Substitution.work). */
  readonly maxWork: number;
  readonly stepCost: number;
}

const UNLIMITED: SubstitutionLimits = { maxLength: 1 << 20, maxWork: Number.MAX_SAFE_INTEGER, stepCost: 0 };

/**
 * The expansion of one definition on the line being built. Its end is kept as the distance from the end of the
 * line: every later substitution happens inside it, before that end, so the distance does not change.
 */
interface Region {
  readonly name: string;
  readonly tail: number;
}

export interface PredefinedContext {
  /** Directory of the file being read. */
  currentDirectory(): string;
  readonly instance: string;
  /** Deterministic stand-in for random(3): returns an integer in [0, 2^31). */
  random(): number;
}

const MAX_EXPANSIONS = 10_000;

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isNameChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95;
}

export class Definitions {
  private readonly defs = new Map<string, Definition>();
  /** The definition still collecting continuation lines, if any. */
  private open: Definition | undefined;

  constructor(context: PredefinedContext) {
    this.defs.set('_PWD', { lines: [], multiline: false, compute: () => context.currentDirectory(), maxParams: 0 });
    this.defs.set('_INSTANCE', { lines: [], multiline: false, compute: () => context.instance, maxParams: 0 });
    this.defs.set('_RANDOM', {
      lines: [],
      multiline: false,
      maxParams: 2,
      compute: (params) => {
        const min = params[0] ?? 0;
        const max = params[1] ?? 32767;
        if (max < min) return String(min);
        return String(min + (context.random() % (max - min + 1)));
      },
    });
    this.defs.set('_HASH', { lines: ['#'], multiline: false, maxParams: 0 });
    this.defs.set('_BANG', { lines: ['!'], multiline: false, maxParams: 0 });
  }

  get collecting(): boolean {
    return this.open !== undefined;
  }

  /** Sets NAME to a one-line value (used by ~SEQ/~LST). */
  set(name: string, value: string): void {
    this.defs.set(name, { lines: [value], multiline: false, maxParams: 0 });
  }

  /**
   * Reads `$NAME=value` (no space before `=`). Returns false when the line is not a definition. A value ending
   * in `\` opens a multi-line definition fed by continue().
   */
  define(line: string): boolean {
    if (line.charCodeAt(0) !== 36 /* $ */) return false;
    const first = line.charCodeAt(1);
    if (!isAlpha(first) && first !== 95) return false;
    let i = 2;
    while (i < line.length && line.charCodeAt(i) !== 61 /* = */) {
      if (!isNameChar(line.charCodeAt(i))) return false;
      i++;
    }
    if (i >= line.length) return false;
    const name = line.slice(1, i);
    let value = line.slice(i + 1);
    let start = 0;
    while (start < value.length && (value[start] === ' ' || value[start] === '\t')) start++;
    value = value.slice(start);
    const def: Definition = { lines: [], multiline: false, maxParams: 0 };
    if (value.endsWith('\\')) {
      def.multiline = true;
      const head = value.slice(0, -1).replace(/[ \t]+$/, '');
      if (head !== '') def.lines.push(head);
      this.open = def;
    } else {
      def.lines.push(value);
    }
    this.defs.set(name, def);
    return true;
  }

  /** Feeds a (decommented, non-empty) line to the open multi-line definition. */
  continue(line: string): void {
    const def = this.open;
    if (!def) return;
    if (line.endsWith('\\')) {
      const body = line.slice(0, -1).replace(/[ \t]+$/, '');
      if (body !== '') def.lines.push(body);
    } else {
      def.lines.push(line);
      this.close();
    }
  }

  /** Ends the open definition (a truly empty line ends one, as in keepalived). */
  close(): void {
    const def = this.open;
    if (!def) return;
    if (def.lines.length === 0) {
      def.multiline = false;
      def.lines.push('');
    }
    this.open = undefined;
  }

  /**
   * Substitutes every known reference in `text` (see keepalived.conf(5), "Parameter substitution"). As in
   * keepalived, the text a definition is replaced with is scanned again (so definitions nest); a reference met
   * inside the expansion of the same definition can never end (keepalived loops on it) and is reported as a cycle
   * at once, before any blow-up.
   */
  substitute(text: string, limits: SubstitutionLimits = UNLIMITED): Substitution | undefined {
    let buf = text;
    let cur = buf.indexOf('$');
    if (cur < 0) return undefined;
    let found = false;
    let expansions = 0;
    // Finding the references costs a scan of the line and a look-up per `$`, found or not.
    let work = text.length;
    const pendingLines: string[][] = [];
    const regions: Region[] = [];
    /** How many regions of each name are open. */
    const openRegions = new Map<string, number>();
    const stop = (overflow: NonNullable<Substitution['overflow']>, cycle?: string[]): Substitution => ({ text: buf, pendingLines, overflow, cycle, work });
    while (cur >= 0 && cur + 1 < buf.length) {
      work += limits.stepCost;
      if (work > limits.maxWork) return stop('work');
      const ref = this.reference(buf, cur);
      if (!ref) {
        cur = buf.indexOf('$', cur + 1);
        continue;
      }
      found = true;
      const { name, def, end, params } = ref;
      // The scan only moves forward: expansions this reference does not lie within are finished.
      while (regions.length > 0 && buf.length - regions[regions.length - 1]!.tail < end) {
        const done = regions.pop()!;
        openRegions.set(done.name, openRegions.get(done.name)! - 1);
      }
      if (!def.compute && (openRegions.get(name) ?? 0) > 0) {
        const again = regions.findIndex((r) => r.name === name);
        return stop('cycle', [...regions.slice(again).map((r) => r.name), name]);
      }
      if (++expansions > MAX_EXPANSIONS) return stop('expansions');
      let replacement: string;
      if (def.compute) replacement = def.compute(params);
      else if (def.multiline) {
        replacement = def.lines[0] ?? '';
        if (def.lines.length > 1) pendingLines.push(def.lines.slice(1));
      } else replacement = def.lines[0] ?? '';
      const delta = replacement.length - (end - cur);
      if (buf.length + delta > limits.maxLength) return stop('length');
      buf = buf.slice(0, cur) + replacement + buf.slice(end);
      work += buf.length;
      if (work > limits.maxWork) return stop('work');
      regions.push({ name, tail: buf.length - (cur + replacement.length) });
      openRegions.set(name, (openRegions.get(name) ?? 0) + 1);
      // keepalived stops substituting once a value starts a ~SEQ/~LST: that line is re-read as one.
      if (replacement.trimStart().startsWith('~')) break;
      cur = buf.indexOf('$', cur);
    }
    return found ? { text: buf, pendingLines, work } : undefined;
  }

  private reference(buf: string, dollar: number): { name: string; def: Definition; end: number; params: number[] } | undefined {
    let i = dollar + 1;
    const braces = buf.charCodeAt(i) === 123; /* { */
    if (braces) i++;
    const c = buf.charCodeAt(i);
    if (!isAlpha(c) && c !== 95) return undefined;
    const nameStart = i;
    while (i < buf.length && isNameChar(buf.charCodeAt(i))) i++;
    const name = buf.slice(nameStart, i);
    let params: number[] = [];
    let end: number;
    if (braces) {
      const paramStart = i;
      while (i < buf.length && (buf.charCodeAt(i) === 32 || isDigit(buf.charCodeAt(i)))) i++;
      const paramText = buf.slice(paramStart, i);
      if (paramText.trim() !== '' && paramText.endsWith(' ')) return undefined;
      if (buf.charCodeAt(i) !== 125 /* } */) return undefined;
      params = paramText.trim() === '' ? [] : paramText.trim().split(/ +/).map(Number);
      end = i + 1;
    } else {
      const next = buf.charCodeAt(i);
      if (i < buf.length && next !== 32 && next !== 9 && next !== 44 && next !== 41) return undefined;
      end = i;
    }
    const def = this.defs.get(name);
    if (!def) return undefined;
    const atEnd = end === buf.length;
    if (def.multiline && !atEnd) return undefined;
    if (params.length > 0 && def.maxParams === 0) return undefined;
    return { name, def, end, params: params.slice(0, def.maxParams) };
  }
}
