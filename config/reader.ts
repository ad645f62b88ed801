/**
 * keepalived.conf's reader (what keepalived's read_line does): turns files into logical lines of words, each with
 * the file and line it came from. In order, for every line: `#`/`!` comments, `$NAME=` definitions (and their
 * continuation lines), `@id` / `@^id` conditional lines, `~SEQ` / `~LST` replication, `$NAME` / `${NAME}`
 * substitution, `include` (globs, relative to the including file), and finally every `{` and `}` put on a line of
 * its own, as keepalived does. Never throws on input: problems go to the Diagnostics.
 */
import { dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { Definitions } from './definitions.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { ConfigFileSystem } from './files.js';
import { globInclude } from './glob.js';
import { parseList, parseSequence } from './sequences.js';
import { decomment, firstBrace, splitWords, trimBlanks } from './text.js';

export interface ConfigLine extends SourcePosition {
  /** words[0] is the keyword, or `{` / `}`. */
  readonly words: readonly string[];
}

export interface ReaderOptions {
  readonly fs: ConfigFileSystem;
  /** keepalived's -i / --config-id: selects `@id` lines. Undefined: no `@id` line matches. */
  readonly configId?: string | undefined;
  /** Seed of ${_RANDOM} (keepalived's global_defs random_seed; fixed here so reads are repeatable). */
  readonly randomSeed?: number | undefined;
}

interface FileFrame {
  readonly kind: 'file';
  readonly path: string;
  readonly display: string;
  readonly text: string;
  /** Offset of the next physical line in text. */
  offset: number;
  /** Number of the last physical line read. */
  index: number;
  readonly parent: FileFrame | undefined;
  readonly depth: number;
}

interface LinesFrame {
  readonly kind: 'lines';
  readonly lines: string[];
  index: number;
  readonly at: SourcePosition;
}

interface RoundsFrame {
  readonly kind: 'rounds';
  readonly rounds: readonly (readonly [string, string])[][];
  readonly text: string;
  index: number;
  readonly at: SourcePosition;
}

type Frame = FileFrame | LinesFrame | RoundsFrame;

const MAX_INCLUDE_DEPTH = 32;
const MAX_EXPANDED_LINES = 1_000_000;
const OPEN_WORDS: readonly string[] = Object.freeze(['{']);
const CLOSE_WORDS: readonly string[] = Object.freeze(['}']);

/** splitPlain's answer for a line that needs the full preprocessor. */
const NOT_PLAIN = Symbol('not plain');
const INCLUDE = /^include([rmwba]?)[ \t]+(.*)$/;

export class ConfigReader {
  private readonly stack: Frame[] = [];
  private readonly defs: Definitions;
  private residue: string | undefined;
  private residueAt: SourcePosition = { file: '', line: 0 };
  private seed: number;
  /** Further lines split from one plain physical line. */
  private readonly queued: ConfigLine[] = [];
  private queuedIndex = 0;
  private expanded = 0;
  private readonly openLine: { words: readonly string[]; file: string; line: number } = { words: OPEN_WORDS, file: '', line: 0 };
  private readonly closeLine: { words: readonly string[]; file: string; line: number } = { words: CLOSE_WORDS, file: '', line: 0 };
  private expansionReported = false;
  /** Files read so far (absolute paths), for reporting. */
  readonly files: string[] = [];

  constructor(
    mainFile: string,
    private readonly diagnostics: Diagnostics,
    private readonly options: ReaderOptions,
    mainText?: string,
  ) {
    this.seed = (options.randomSeed ?? 1) >>> 0;
    this.defs = new Definitions({
      currentDirectory: () => dirname(this.currentFile()?.path ?? resolve(mainFile)),
      instance: options.configId ?? '',
      random: () => this.nextRandom(),
    });
    const path = resolve(mainFile);
    if (mainText !== undefined) this.pushFile(path, mainFile, mainText, undefined);
    else this.openFile(path, mainFile, undefined, { file: mainFile, line: 0 });
  }

  /** The next logical line, or undefined at the end of the configuration. */
  next(): ConfigLine | undefined {
    if (this.queuedIndex < this.queued.length) {
      const q = this.queued[this.queuedIndex++]!;
      if (this.queuedIndex === this.queued.length) {
        this.queued.length = 0;
        this.queuedIndex = 0;
      }
      return q;
    }
    for (;;) {
      if (this.residue !== undefined) {
        const text = this.residue;
        this.residue = undefined;
        const line = this.process(text, this.residueAt);
        if (line) return line;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (!top) return undefined;
      let line: ConfigLine | undefined;
      if (top.kind === 'file') {
        const text = top.text;
        const start = top.offset;
        if (start > text.length) {
          this.stack.pop();
          continue;
        }
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        top.offset = end + 1;
        top.index++;
        if (!this.defs.collecting && this.residue === undefined) {
          const plain = this.splitPlain(text, start, end, top.display, top.index);
          if (plain !== NOT_PLAIN) {
            if (plain) return plain;
            continue;
          }
        }
        let raw = text.slice(start, end);
        if (raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
        if (raw === '') {
          // keepalived: an empty line ends a multi-line definition.
          this.defs.close();
          continue;
        }
        const at = { file: top.display, line: top.index };
        const d = decomment(raw);
        if (d.unterminatedQuote) this.diagnostics.error(at, 'unterminated quote');
        if (d.text === '') continue;
        line = this.process(d.text, at);
      } else if (top.kind === 'lines') {
        const text = top.lines[top.index++]!;
        if (top.index >= top.lines.length) this.stack.pop();
        line = this.process(text, top.at);
      } else {
        const round = top.rounds[top.index++]!;
        if (top.index >= top.rounds.length) this.stack.pop();
        for (const [name, value] of round) this.defs.set(name, value);
        line = this.process(top.text, top.at);
      }
      if (line) return line;
    }
  }

  /**
   * The common case, a physical line (text[start, end)) with nothing for the preprocessor to do: no comment
   * (`#`, `!`), quote, escape, definition or conditional (`$`, `@`), replication (`~`) or include. Its words are
   * split at white space, each `{` / `}` a line of its own; lines after the first wait in `queued`. Returns
   * NOT_PLAIN (having queued nothing) when the line needs the full treatment, undefined for a blank line.
   */
  private splitPlain(text: string, start: number, end: number, file: string, lineNo: number): ConfigLine | undefined | typeof NOT_PLAIN {
    let first: ConfigLine | undefined;
    let words: string[] = [];
    const queuedBefore = this.queued.length;
    let i = start;
    while (i < end) {
      let c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13) {
        i++;
        continue;
      }
      if (c === 123 || c === 125) {
        if (words.length > 0) {
          const l = { words, file, line: lineNo };
          if (first === undefined) first = l;
          else this.queued.push(l);
          words = [];
        }
        // Brace lines are used at once and never kept, so one object of each is reused (a large
        // configuration has hundreds of thousands of them).
        const l = c === 123 ? this.openLine : this.closeLine;
        l.file = file;
        l.line = lineNo;
        if (first === undefined) first = l;
        else this.queued.push(l);
        i++;
        continue;
      }
      if (c === 105 /* i */ && text.startsWith('include', i)) {
        this.queued.length = queuedBefore;
        return NOT_PLAIN;
      }
      const wordStart = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13 || c === 123 || c === 125) break;
        // ! " # $ @ \ ~
        if (c === 33 || c === 34 || c === 35 || c === 36 || c === 64 || c === 92 || c === 126) {
          this.queued.length = queuedBefore;
          return NOT_PLAIN;
        }
        i++;
      }
      words.push(text.slice(wordStart, i));
    }
    if (words.length > 0) {
      const l = { words, file, line: lineNo };
      if (first === undefined) first = l;
      else this.queued.push(l);
    }
    return first;
  }

  private nextRandom(): number {
    // xorshift32: repeatable ${_RANDOM} values.
    let x = this.seed || 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed & 0x7fffffff;
  }

  private currentFile(): FileFrame | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i]!;
      if (f.kind === 'file') return f;
    }
    return undefined;
  }

  /** One line of text through conditionals, definitions, replication, substitution, include, brace split. */
  private process(text: string, at: SourcePosition): ConfigLine | undefined {
    let buf = text;
    if (this.defs.collecting) {
      this.defs.continue(buf);
      return undefined;
    }
    for (let rounds = 0; ; rounds++) {
      if (rounds > 1000) {
        this.diagnostics.error(at, 'parameter substitution does not terminate');
        return undefined;
      }
      const first = buf.charCodeAt(0);
      if (first === 64 /* @ */) {
        const kept = this.conditional(buf);
        if (kept === undefined) return undefined;
        buf = kept;
        if (buf === '') return undefined;
      }
      if (buf.charCodeAt(0) === 36 /* $ */ && this.defs.define(buf)) return undefined;
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        this.replicate(buf, at);
        return undefined;
      }
      if (buf.charCodeAt(0) === 126 /* ~ */) break;
      if (buf.indexOf('$') < 0) break;
      const s = this.defs.substitute(buf);
      if (!s) break;
      if (s.overflow) {
        this.diagnostics.error(at, 'parameter substitution does not terminate (a definition refers to itself?)');
        return undefined;
      }
      for (const lines of s.pendingLines) {
        if (!this.allowExpansion(lines.length, at)) return undefined;
        this.stack.push({ kind: 'lines', lines, index: 0, at });
      }
      buf = decomment(s.text).text;
      if (buf.charCodeAt(0) !== 64 && buf.indexOf('$') < 0) break;
    }
    if (buf === '') return undefined;
    if (buf.charCodeAt(0) === 105 /* i */ && buf.startsWith('include')) {
      const m = INCLUDE.exec(buf);
      if (m) {
        this.include(m[1] ?? '', trimBlanks(m[2] ?? ''), at);
        return undefined;
      }
    }
    const brace = firstBrace(buf);
    if (brace === 0) {
      const rest = trimBlanks(buf.slice(1));
      if (rest !== '') this.setResidue(rest, at);
      buf = buf[0]!;
    } else if (brace > 0) {
      this.setResidue(trimBlanks(buf.slice(brace)), at);
      buf = trimBlanks(buf.slice(0, brace));
    }
    const { words, unmatchedQuote } = splitWords(buf);
    if (unmatchedQuote) this.diagnostics.error(at, `unmatched quote in '${buf}'`);
    if (words.length === 0) return undefined;
    return { words, file: at.file, line: at.line };
  }

  private setResidue(text: string, at: SourcePosition): void {
    this.residue = text;
    this.residueAt = at;
  }

  /**
   * Counts lines made by ~SEQ / ~LST and multi-line definitions; past MAX_EXPANDED_LINES (a definition that
   * expands itself, nested sequences gone wild) it is an error and the expansion stops.
   */
  private allowExpansion(lines: number, at: SourcePosition): boolean {
    this.expanded += lines;
    if (this.expanded <= MAX_EXPANDED_LINES) return true;
    if (!this.expansionReported) this.diagnostics.error(at, `more than ${MAX_EXPANDED_LINES} lines generated by ~SEQ/~LST or multi-line definitions - stopping expansion`);
    this.expansionReported = true;
    return false;
  }

  /** `@id rest` keeps `rest` when id is the config id; `@^id rest` when it is not. */
  private conditional(buf: string): string | undefined {
    const negated = buf.charCodeAt(1) === 94; /* ^ */
    const start = negated ? 2 : 1;
    let end = start;
    while (end < buf.length && buf[end] !== ' ' && buf[end] !== '\t') end++;
    if (end >= buf.length) return undefined;
    const matches = this.options.configId !== undefined && buf.slice(start, end) === this.options.configId;
    if (matches === negated) return undefined;
    return trimBlanks(buf.slice(end));
  }

  private replicate(buf: string, at: SourcePosition): void {
    if (this.expansionReported) return;
    const budget = MAX_EXPANDED_LINES - this.expanded + 1;
    const result = buf[1] === 'S' ? parseSequence(buf, (s) => this.defs.substitute(s)?.text ?? s, budget) : parseList(buf);
    if (!result.ok) {
      if (result.rounds !== undefined) this.allowExpansion(result.rounds, at);
      else this.diagnostics.error(at, result.problem);
      return;
    }
    if (result.value.rounds.length === 0 || !this.allowExpansion(result.value.rounds.length, at)) return;
    this.stack.push({ kind: 'rounds', rounds: result.value.rounds, text: result.value.text, index: 0, at });
  }

  /**
   * `include PATTERN` (and includer/includem/includew/includeb/includea). A missing file is an error (keepalived
   * only logs it for plain `include`, which silently drops configuration); a wildcard matching nothing is a
   * warning, an error for includew / includea.
   */
  private include(variant: string, pattern: string, at: SourcePosition): void {
    const includer = this.currentFile();
    const base = includer?.path ?? resolve('.');
    const absolutePattern = isAbsolute(pattern) ? pattern : join(dirname(base), pattern);
    const result = globInclude(absolutePattern, this.options.fs);
    const displayOf = (path: string): string => {
      if (isAbsolute(pattern) || !includer) return path;
      return normalize(join(dirname(includer.display), relative(dirname(includer.path), path)));
    };
    for (const missing of result.missing) this.diagnostics.error(at, `include: cannot open '${displayOf(missing)}': no such file`);
    for (const dir of result.directories) {
      const message = `include: '${displayOf(dir)}' is a directory - skipping`;
      if (variant === '') this.diagnostics.warning(at, message);
      else this.diagnostics.error(at, message);
    }
    if (result.files.length === 0 && result.missing.length === 0 && result.directories.length === 0) {
      const message = `include: no file matches '${pattern}'`;
      if (variant === 'w' || variant === 'a') this.diagnostics.error(at, message);
      else this.diagnostics.warning(at, message);
    }
    // Push in reverse so the first match is read first.
    for (let i = result.files.length - 1; i >= 0; i--) {
      const path = result.files[i]!;
      this.openFile(path, displayOf(path), includer, at);
    }
  }

  private openFile(path: string, display: string, parent: FileFrame | undefined, at: SourcePosition): void {
    for (let f = parent; f; f = f.parent) {
      if (f.path === path) {
        const chain: string[] = [];
        for (let g: FileFrame | undefined = parent; g; g = g.parent) chain.unshift(g.display);
        this.diagnostics.error(at, `include cycle: ${[...chain, display].join(' -> ')}`);
        return;
      }
    }
    if ((parent?.depth ?? 0) + 1 > MAX_INCLUDE_DEPTH) {
      this.diagnostics.error(at, `include: nesting deeper than ${MAX_INCLUDE_DEPTH} files at '${display}'`);
      return;
    }
    let text: string;
    try {
      text = this.options.fs.readFile(path);
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^[A-Z]+: /, '').split(',')[0] : String(err);
      this.diagnostics.error(at, `cannot read '${display}': ${reason}`);
      return;
    }
    this.pushFile(path, display, text, parent);
  }

  private pushFile(path: string, display: string, text: string, parent: FileFrame | undefined): void {
    this.files.push(path);
    this.stack.push({ kind: 'file', path, display, text, offset: 0, index: 0, parent, depth: (parent?.depth ?? 0) + 1 });
  }
}
